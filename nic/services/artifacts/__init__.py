"""Practice artifacts: the library, versions and files (artifacts), links to cycles and change
ideas, text extraction and previews (processing, extraction, ooxml) and full-text search."""
