"""What every stage shares: pages inside a partnership, file downloads, months and quarters, and
the disclosure rules for published figures. Stages build on these and never on each other's."""
