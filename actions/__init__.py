"""The rasa_sdk action server: thin actions over the plain functions in bot/."""
