"""Foundation layer: errors, config validation, seeding, protocols. Imports nothing of ours."""
