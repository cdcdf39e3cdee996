"""The hazard loop (「一法三卡」): hazards found by inspections and reports, their
rectification followed to closure (发现→定级→整改→验收→销号), rectification
notices, hazard points with their warning cards and QR codes, and chemical
information cards."""
