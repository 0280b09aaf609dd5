"""Pure lead logic: parsing, validation, scoring, routing and SLA time maths (stdlib only)."""
