"""Pure lead logic: parsing, validation, scoring, routing, SLA time maths (standard library only)."""
