"""aiops-mcp runtime: protocol wiring, configuration, gateway adapter and store."""
