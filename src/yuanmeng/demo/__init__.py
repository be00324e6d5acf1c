"""The demo: a believable Guangzhou with one login per role (`yuanmeng seed demo`). The top floor: it uses the
services of every app and nothing uses it."""
