"""Publicity pushes: the reviewed workflow, channels, delivery and the scheduler process."""
