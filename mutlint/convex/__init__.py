"""The Convex model: facts about a Convex app computed from its parsed files."""
