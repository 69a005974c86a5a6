"""Emergency plans: five scenarios, three levels, versions, approval and review."""
