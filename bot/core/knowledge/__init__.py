"""Loading and checking the curated content: topics, answer units, offences, contacts."""
