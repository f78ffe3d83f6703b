"""SMA command-line entry point and the demo orchestration."""
