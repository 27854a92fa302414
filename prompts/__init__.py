"""Prompt templates (one file each) and their loader, `ringmaster.prompts.loader`."""
