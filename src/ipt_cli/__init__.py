"""ipt: a local-first planner and note-keeper for courses of Interpersonal Psychotherapy."""

__version__ = "0.1.0"
