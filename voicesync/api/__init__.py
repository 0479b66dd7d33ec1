"""The voice.ai HTTP API: connection settings, the client with its retries and paging, uploads."""
