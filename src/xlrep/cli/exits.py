"""The command line's exit codes, decided here and only here: 0 success, 1 findings that fail, 2 misuse or a file
that cannot be read or written, 3 a bug of ours, 130 interrupted."""

EXIT_CODES = {"ok": 0, "failed": 1, "usage": 2, "bug": 3, "interrupted": 130}
INTERNAL_ERROR = "xlrep 内部错误（{kind}: {detail}）。没有写出不完整的文件。请把这条信息和所用文件报告给维护者。"
