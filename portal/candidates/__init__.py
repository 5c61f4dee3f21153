"""Everything under /c/<token>/: links, the page's view-model and queries, its views and actions."""
