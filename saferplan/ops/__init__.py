"""Running Saferplan as a service: health checks, request logs, client addresses behind proxies,
the shared cache, and backup and restore."""
