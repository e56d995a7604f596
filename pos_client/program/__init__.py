"""The loyalty program: its rules document (`program.json`) and how a terminal reads it."""

from pos_client.program.schema import Program, load_program_text

__all__ = ["Program", "load_program_text"]
