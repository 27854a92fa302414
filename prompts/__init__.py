"""Prompt templates (one file each) and their loader, `prompts.loader`."""
