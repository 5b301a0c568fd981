"""One module per verb: the only code that sequences the stages; cli.py calls these."""
