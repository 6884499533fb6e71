"""Deployment packages: what each function ships (``ship``), its declared dependencies
(``requirements``), estimated sizes of common heavy dependencies (``sizes``), and the optional
vulnerability audit (``audit``). The package rules (LL301-LL304) read only these records."""
