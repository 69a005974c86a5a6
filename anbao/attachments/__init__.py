"""Files attached to records (plan scans, hazard evidence, ...): stored once by content."""
