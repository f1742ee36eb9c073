"""What a department can be asked for: request types, their form schema, the default catalog."""
