"""Live discussion: channels, threads and messages (discussion), lists for pages, mentions,
reactions, Markdown rendering and the network activity feed."""
