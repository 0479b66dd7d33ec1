"""PURE: from the catalog, the state and the listed account to a Plan; saved plans and safety."""
