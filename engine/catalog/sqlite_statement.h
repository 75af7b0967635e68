// A prepared SQLite statement with typed binds and column reads; internal to
// catalog/ (not part of the engine's public headers). Errors throw CatalogError.
#pragma once

#include "catalog/catalog_rows.h"

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace snilab {

class Statement {
public:
    Statement(sqlite3* db, const char* sql) : m_db(db)
    {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) !=
            SQLITE_OK)
            throw CatalogError(std::string("SQLite prepare failed: ") + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, std::int64_t v)
    {
        check(sqlite3_bind_int64(m_stmt, i, v));
        return *this;
    }
    Statement& bind(int i, const std::string& v)
    {
        check(sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    // An empty vector binds an empty blob (a null pointer would bind NULL).
    Statement& bindBlob(int i, const std::vector<std::uint8_t>& v)
    {
        static const std::uint8_t none = 0;
        check(sqlite3_bind_blob(m_stmt, i, v.empty() ? &none : v.data(), static_cast<int>(v.size()),
                                SQLITE_TRANSIENT));
        return *this;
    }
    // true while a row is available.
    bool step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        throw CatalogError(std::string("SQLite: ") + sqlite3_errmsg(m_db));
    }
    void run()
    {
        try {
            while (step()) {
            }
        } catch (...) {
            reset(); // a failed statement must stay usable for the next call
            throw;
        }
        reset();
    }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    std::int64_t i64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    bool isBlob(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_BLOB; }
    double real(int col) const { return sqlite3_column_double(m_stmt, col); }
    sqlite3_stmt* handle() const { return m_stmt; }
    std::string text(int col) const
    {
        const auto* p = sqlite3_column_text(m_stmt, col);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)))
                 : std::string();
    }
    std::span<const std::uint8_t> blob(int col) const
    {
        const void* p = sqlite3_column_blob(m_stmt, col);
        const int n = sqlite3_column_bytes(m_stmt, col);
        return p ? std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(p),
                                                 static_cast<std::size_t>(n))
                 : std::span<const std::uint8_t>();
    }

private:
    void check(int rc)
    {
        if (rc != SQLITE_OK)
            throw CatalogError(std::string("SQLite bind failed: ") + sqlite3_errmsg(m_db));
    }
    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
};

// Resets a statement when a scope ends, also by exception.
struct ResetGuard {
    Statement& s;
    ~ResetGuard() { s.reset(); }
};

// One write transaction (BEGIN IMMEDIATE): commit() ends it; leaving the
// scope without commit() - an exception, an early return - rolls it back
// after resetting the given long-lived statements, so that none of them is
// left mid-step or holding bindings. A failed COMMIT throws CatalogError and
// rolls back too.
class Transaction {
public:
    explicit Transaction(sqlite3* db, std::initializer_list<Statement*> statements = {})
        : m_db(db), m_statements(statements)
    {
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
            throw CatalogError(std::string("SQLite: ") + sqlite3_errmsg(db));
    }
    ~Transaction()
    {
        if (m_open) {
            for (Statement* s : m_statements)
                s->reset();
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit()
    {
        if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
            throw CatalogError(std::string("SQLite: ") + sqlite3_errmsg(m_db));
        m_open = false;
    }

private:
    sqlite3* m_db;
    std::vector<Statement*> m_statements;
    bool m_open = true;
};

} // namespace snilab
