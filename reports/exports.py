"""A report as PDF (rendered by WeasyPrint from the template of the HTML view, Chinese in
Noto Sans CJK SC from the system's fonts-noto-cjk) and as XLSX with the same content."""
from zoneinfo import ZoneInfo

from flask import render_template
from openpyxl import Workbook

from anbao import xlsx as sheets
from anbao.audit import service as audit
from anbao.config import ROOT
from anbao.i18n import gettext as _
from compliance.labels import compliance_label
from drills.labels import drill_label
from equipment.labels import equipment_label
from hazards.labels import hazard_label
from plans.labels import plan_label
from reports import service
from reports.labels import report_label

XLSX = sheets.MIMETYPE
PDF = "application/pdf"


def download(actor, report, kind: str) -> tuple[bytes, str, str]:
    """The export a reader takes away: read, exported and audited (the caller commits)."""
    service.note_read(actor, report)
    found = export(report, kind, actor)
    audit.record(actor, "export", "report", report.id, unit_id=report.unit_id,
                 detail={"format": kind, "revision": report.revision})
    return found


def export(report, kind: str, actor) -> tuple[bytes, str, str]:
    """(bytes, mimetype, file name) of the report as `actor` sees it."""
    data = service.view(report, actor)
    name = f"{_('Self-inspection report')}-{report.unit.name}-" \
           f"{report.period_start.isoformat()}-r{report.revision}"
    name = "".join(c for c in name if c not in sheets.UNSAFE)
    if kind == "pdf":
        return pdf(report, data), PDF, f"{name}.pdf"
    return workbook(report, data), XLSX, f"{name}.xlsx"


def pdf(report, data: dict) -> bytes:
    from weasyprint import HTML  # loads Pango: only when a PDF is asked for
    html = render_template("reports/pdf.html", report=report, data=data,
                           report_zone=ZoneInfo(report.unit.timezone))
    return HTML(string=html, base_url=str(ROOT)).write_pdf()


def workbook(report, data: dict) -> bytes:
    content = data["content"]
    book = Workbook()
    summary = book.active
    summary.title = _("Report")[:31]
    unit = content.get("unit", {})
    compliance = content.get("compliance", {})
    sheets.write_sheet(summary, (_("Field"), _("Value")), (24, 80), [
        (_("Unit"), unit.get("name")), (_("Unified social credit code"), unit.get("credit_code")),
        (_("Period"), f"{data['period_start'].isoformat()} – {data['period_end'].isoformat()}"),
        (_("Revision"), data["revision"]), (_("Status"), str(report_label("status", data["status"]))),
        (_("Submitted at"), data["submitted_at"].isoformat() if data["submitted_at"] else ""),
        (_("Submitted by"), data["submitted_by"] or ""), ("SHA-256", data["sha256"] or ""),
        (_("Compliance at the period's end"),
         str(compliance_label("unit_status", compliance.get("status")))),
        (_("Narrative"), data["narrative"])], wrap=(2,))
    sheets.write_sheet(book.create_sheet(_("Staffing")[:31]),
                       (_("Rule"), _("Required"), _("Actual"), _("Met"), _("Explanation")),
                       (12, 10, 10, 8, 90),
                       [(r["rule"], r["required"], r["actual"], _("Yes") if r["compliant"]
                         else _("No"), r["explanation"])
                        for r in content.get("staffing", {}).get("requirements", [])], wrap=(5,))
    sheets.write_sheet(book.create_sheet(_("Plans")[:31]),
                       (_("Scenario"), _("Level"), _("Title"), _("Version"), _("Approved on"),
                        _("Review due")), (18, 14, 40, 8, 22, 12),
                       [(str(plan_label("scenario", p["scenario"])),
                         str(plan_label("level", p["level"])), p["title"], p["version"],
                         p["approved_at"] or "", p["review_due"] or "")
                        for p in content.get("plans", [])]
                       + [(str(plan_label("scenario", s)), "", _("No approved plan"), "", "", "")
                          for s in content.get("missing_scenarios", [])])
    sheets.write_sheet(book.create_sheet(_("Drills and trainings")[:31]),
                       (_("Kind"), _("Title"), _("Held from"), _("Held to"), _("Attendees"),
                        _("Participants"), _("Findings"), _("Summary")),
                       (10, 36, 22, 22, 10, 10, 50, 50),
                       [(str(drill_label("kind", a["kind"])), a["title"], a["held_from"], a["held_to"], a["attendees"],
                         a["participants"], "\n".join(f["description"] for f in a["findings"]),
                         a["summary"]) for a in content.get("activities", [])], wrap=(7, 8))
    sheets.write_sheet(book.create_sheet(_("Equipment")[:31]),
                       (_("Name"), _("Category"), _("Quantity"), _("Required quantity"),
                        _("Expires on"), _("Next inspection"), _("Alerts")),
                       (30, 14, 10, 12, 12, 14, 40),
                       [(e["name"], str(equipment_label("category", e["category"])), e["quantity"], e["required_quantity"],
                         e["expires_on"] or "", e["next_inspection_on"] or "",
                         ", ".join(str(equipment_label("alert", a)) for a in e["alerts"]))
                        for e in content.get("equipment", [])])
    hazards = content.get("hazards", {})
    sheets.write_sheet(book.create_sheet(_("Hazards")[:31]),
                       ("ID", _("Description"), _("Severity"), _("Source"), _("Order"),
                        _("Status"), _("Found on"), _("Due date"), _("Overdue")),
                       (8, 60, 10, 18, 8, 12, 12, 12, 8),
                       [(h["id"], h["description"], str(hazard_label("severity", h["severity"])),
                         str(hazard_label("source", h["source"])),
                         _("Yes") if h["order"] else "", str(hazard_label("status", h["status"])),
                         h["found_on"],
                         h["due_date"], _("Yes") if h["overdue"] else "")
                        for h in hazards.get("items", [])], wrap=(2,))
    sheets.write_sheet(book.create_sheet(_("Compliance")[:31]),
                       (_("Rule"), _("Title"), _("Clause"), _("Status"), _("Due date"),
                        _("Detail")), (14, 40, 24, 12, 12, 60),
                       [(i["rule"], i["title"], i["clause"],
                         str(compliance_label("status", i["status"])), i["due_date"] or "",
                         i["detail"]) for i in compliance.get("items", [])], wrap=(6,))
    sheets.write_sheet(book.create_sheet(_("Checklist")[:31]),
                       ("ID", _("Clause"), _("Item"), _("Answer"), _("Note")),
                       (6, 18, 60, 14, 50),
                       [(c["id"], c["clause"], c["text"],
                         str(report_label("answer", c["answer"])) if c["answer"] else "",
                         c["note"]) for c in data["checklist"]], wrap=(3, 5))
    return sheets.to_bytes(book)
