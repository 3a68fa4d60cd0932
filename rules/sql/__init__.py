"""SQL and PostgreSQL rules (BP5xx): injection, credentials in DSNs, pools, schemas.

Two modules hold what these rules share: ``_sqltext`` the pure-text layer (a small SQL
tokenizer, the test that tells SQL text from prose, the holes that stand for values) and
``_sqlcst`` the libcst layer (reading string nodes as text with f-string holes, and the
calls that take SQL).
"""
