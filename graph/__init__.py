"""Microsoft Graph: the token provider (`graph.tokens`) and the HTTP client
(`graph.client`) so far; the SharePoint case store and Outlook drafts, behind the same
ports as `local/`, come next (docs/graph.md). Nothing in the app imports this package yet."""
