"""aiops-mcp tools: one module or package per AI-ops tool, each with its offline engine."""
