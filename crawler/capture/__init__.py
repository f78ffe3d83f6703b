"""What happens inside the browser: network recording, page behaviours, snapshots."""
