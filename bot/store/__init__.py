"""Storage: tables, the store, statistics, exports, retention and staff accounts."""
