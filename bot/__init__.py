"""policybot: grounded Swedish answers about municipal policy documents, with verbatim citations."""
