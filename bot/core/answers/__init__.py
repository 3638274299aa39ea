"""Search and the replies built from it: the first reply, cards, the eval."""
