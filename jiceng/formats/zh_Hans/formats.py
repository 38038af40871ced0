# How a page writes a day and a moment in Chinese: one way everywhere (settings.FORMAT_MODULE_PATH). The
# numeric form reads in a table and matches the date inputs (YYYY-MM-DD); exports stay ISO whatever the language.
DATE_FORMAT = SHORT_DATE_FORMAT = "Y-m-d"  # 2026-11-29
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-11-29 14:05
