"""Expertise: members appointed (or, later, earned) as experts in a tag."""
