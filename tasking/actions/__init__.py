"""The action log: actions tied to a control-strategy priority, raised and closed at a meeting (or
between meetings), progress updates and RAG ratings by their owners."""
