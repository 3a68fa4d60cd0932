"""SQL and PostgreSQL rules (BP5xx): injection, credentials in DSNs, pools, schemas.

``_sqltext`` holds what these rules share: reading libcst string nodes (with f-string
holes), a small SQL tokenizer, and the test that tells SQL text from prose.
"""
