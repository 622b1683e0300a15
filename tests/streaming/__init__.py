"""Live prices: feeds (websocket and polling), subscribers, the manager's streaming API."""
