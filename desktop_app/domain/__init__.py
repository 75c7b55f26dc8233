"""Pure rules of electronic invoicing: no Qt, no database, no HTTP."""
