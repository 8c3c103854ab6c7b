"""care-journeys: every child's journey through children's services as immutable events."""
