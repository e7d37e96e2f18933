"""Microsoft Graph adapters (SharePoint case store, Outlook drafts), behind the same ports
as `local/`. Built in the Microsoft Graph issue; nothing imports this package yet."""
