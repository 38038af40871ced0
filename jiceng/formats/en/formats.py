# How a page writes a day and a moment in English: one way everywhere (settings.FORMAT_MODULE_PATH), day
# before month and the month in letters so it is never read the American or the British way round.
# Date inputs stay ISO (type=date); exports stay ISO whatever the language.
DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"  # 29 Nov 2026
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y H:i"  # 29 Nov 2026 14:05
