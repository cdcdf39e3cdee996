"""A union clerk's scoring table as a spreadsheet, in and out (forms/SPREADSHEET.md).

Pure: bytes in, bytes out, no database.
"""

from .reader import read_workbook
from .template import template_workbook
from .writer import write_workbook

__all__ = ["read_workbook", "template_workbook", "write_workbook"]
