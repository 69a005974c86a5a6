"""Emergency equipment and supplies: inventory, movements, inspections, alerts."""
