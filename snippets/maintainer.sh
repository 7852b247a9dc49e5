# Commands for the people who keep this book running (shown on docs/authors.md).
# --8<-- [start:serve]
pip install -r requirements.txt && mkdocs serve
# --8<-- [end:serve]

# --8<-- [start:test]
pytest
# --8<-- [end:test]

# --8<-- [start:regenerate]
python tests/regenerate.py                    # 全部重新生成，包括约 10 分钟的种子实验
python tests/regenerate.py --skip-seed-study  # 只重新运行各章（约 2 分钟）
# --8<-- [end:regenerate]
