"""Widgets and the UI-side helpers the screens share (plain-text display, field binding,
the duty list's rows, the background saver, the command palette provider)."""
