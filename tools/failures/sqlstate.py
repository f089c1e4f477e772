"""PostgreSQL SQLSTATE codes: recognise them in error text and map them to retry semantics.

The code table is PostgreSQL's `errcodes.txt` (condition names in the CamelCase that psycopg uses;
asyncpg names are the same with an `Error` suffix). Retry semantics follow the failure benchmark's
rules: class 08, 40001, 40P01, class 53 except 53400, 55P03, 57P01-57P03 and 57014 are transient.
"""

from __future__ import annotations

import re

_TABLE = """
08000 ConnectionException  08001 SqlclientUnableToEstablishSqlconnection
08003 ConnectionDoesNotExist  08004 SqlserverRejectedEstablishmentOfSqlconnection
08006 ConnectionFailure  08007 TransactionResolutionUnknown  08P01 ProtocolViolation
0A000 FeatureNotSupported  21000 CardinalityViolation  22000 DataException
22001 StringDataRightTruncation  22002 NullValueNoIndicatorParameter
22003 NumericValueOutOfRange  22004 NullValueNotAllowed  22005 ErrorInAssignment
22007 InvalidDatetimeFormat  22008 DatetimeFieldOverflow  22009 InvalidTimeZoneDisplacementValue
2200B EscapeCharacterConflict  2200C InvalidUseOfEscapeCharacter  2200D InvalidEscapeOctet
2200F ZeroLengthCharacterString  2200G MostSpecificTypeMismatch
2200H SequenceGeneratorLimitExceeded  2200L NotAnXmlDocument  2200M InvalidXmlDocument
2200N InvalidXmlContent  2200S InvalidXmlComment  2200T InvalidXmlProcessingInstruction
22010 InvalidIndicatorParameterValue  22011 SubstringError  22012 DivisionByZero
22013 InvalidPrecedingOrFollowingSize  22014 InvalidArgumentForNtileFunction
22015 IntervalFieldOverflow  22016 InvalidArgumentForNthValueFunction
22018 InvalidCharacterValueForCast  22019 InvalidEscapeCharacter  2201B InvalidRegularExpression
2201E InvalidArgumentForLogarithm  2201F InvalidArgumentForPowerFunction
2201G InvalidArgumentForWidthBucketFunction  2201W InvalidRowCountInLimitClause
2201X InvalidRowCountInResultOffsetClause  22021 CharacterNotInRepertoire
22022 IndicatorOverflow  22023 InvalidParameterValue  22024 UnterminatedCString
22025 InvalidEscapeSequence  22026 StringDataLengthMismatch  22027 TrimError
2202E ArraySubscriptError  2202G InvalidTablesampleRepeat  2202H InvalidTablesampleArgument
22030 DuplicateJsonObjectKeyValue  22031 InvalidArgumentForSqlJsonDatetimeFunction
22032 InvalidJsonText  22033 InvalidSqlJsonSubscript  22034 MoreThanOneSqlJsonItem
22035 NoSqlJsonItem  22036 NonNumericSqlJsonItem  22037 NonUniqueKeysInAJsonObject
22038 SingletonSqlJsonItemRequired  22039 SqlJsonArrayNotFound  2203A SqlJsonMemberNotFound
2203B SqlJsonNumberNotFound  2203C SqlJsonObjectNotFound  2203D TooManyJsonArrayElements
2203E TooManyJsonObjectMembers  2203F SqlJsonScalarRequired
2203G SqlJsonItemCannotBeCastToTargetType  22P01 FloatingPointException
22P02 InvalidTextRepresentation  22P03 InvalidBinaryRepresentation  22P04 BadCopyFileFormat
22P05 UntranslatableCharacter  22P06 NonstandardUseOfEscapeCharacter
23000 IntegrityConstraintViolation  23001 RestrictViolation  23502 NotNullViolation
23503 ForeignKeyViolation  23505 UniqueViolation  23514 CheckViolation  23P01 ExclusionViolation
24000 InvalidCursorState  25000 InvalidTransactionState  25001 ActiveSqlTransaction
25002 BranchTransactionAlreadyActive  25003 InappropriateAccessModeForBranchTransaction
25004 InappropriateIsolationLevelForBranchTransaction
25005 NoActiveSqlTransactionForBranchTransaction  25006 ReadOnlySqlTransaction
25007 SchemaAndDataStatementMixingNotSupported  25008 HeldCursorRequiresSameIsolationLevel
25P01 NoActiveSqlTransaction  25P02 InFailedSqlTransaction
25P03 IdleInTransactionSessionTimeout  25P04 TransactionTimeout  26000 InvalidSqlStatementName
27000 TriggeredDataChangeViolation  28000 InvalidAuthorizationSpecification
28P01 InvalidPassword  3D000 InvalidCatalogName  3F000 InvalidSchemaName
40000 TransactionRollback  40001 SerializationFailure
40002 TransactionIntegrityConstraintViolation  40003 StatementCompletionUnknown
40P01 DeadlockDetected  42000 SyntaxErrorOrAccessRuleViolation  42501 InsufficientPrivilege
42601 SyntaxError  42602 InvalidName  42611 InvalidColumnDefinition  42622 NameTooLong
42701 DuplicateColumn  42702 AmbiguousColumn  42703 UndefinedColumn  42704 UndefinedObject
42710 DuplicateObject  42712 DuplicateAlias  42723 DuplicateFunction  42725 AmbiguousFunction
42803 GroupingError  42804 DatatypeMismatch  42809 WrongObjectType  42830 InvalidForeignKey
42846 CannotCoerce  42883 UndefinedFunction  428C9 GeneratedAlways  42939 ReservedName
42P01 UndefinedTable  42P02 UndefinedParameter  42P03 DuplicateCursor  42P04 DuplicateDatabase
42P05 DuplicatePreparedStatement  42P06 DuplicateSchema  42P07 DuplicateTable
42P08 AmbiguousParameter  42P09 AmbiguousAlias  42P10 InvalidColumnReference
42P11 InvalidCursorDefinition  42P12 InvalidDatabaseDefinition  42P13 InvalidFunctionDefinition
42P14 InvalidPreparedStatementDefinition  42P15 InvalidSchemaDefinition
42P16 InvalidTableDefinition  42P17 InvalidObjectDefinition  42P18 IndeterminateDatatype
42P19 InvalidRecursion  42P20 WindowingError  42P21 CollationMismatch
42P22 IndeterminateCollation  44000 WithCheckOptionViolation  53000 InsufficientResources
53100 DiskFull  53200 OutOfMemory  53300 TooManyConnections  53400 ConfigurationLimitExceeded
54000 ProgramLimitExceeded  54001 StatementTooComplex  54011 TooManyColumns
54023 TooManyArguments  55000 ObjectNotInPrerequisiteState  55006 ObjectInUse
55P02 CantChangeRuntimeParam  55P03 LockNotAvailable  55P04 UnsafeNewEnumValueUsage
57000 OperatorIntervention  57014 QueryCanceled  57P01 AdminShutdown  57P02 CrashShutdown
57P03 CannotConnectNow  57P04 DatabaseDropped  57P05 IdleSessionTimeout  58000 SystemError
58030 IoError  58P01 UndefinedFile  58P02 DuplicateFile  58P03 FileNameTooLong
72000 SnapshotTooOld  P0000 PlpgsqlError  P0001 RaiseException  P0002 NoDataFound
P0003 TooManyRows  P0004 AssertFailure  XX000 InternalError  XX001 DataCorrupted
XX002 IndexCorrupted
"""

CODE_TO_NAME: dict[str, str] = {}
for _line in _TABLE.split("\n"):
    for _code, _name in re.findall(r"([0-9A-Z]{5}) (\w+)", _line):
        CODE_TO_NAME[_code] = _name


def _norm(name: str) -> str:
    n = re.sub(r"[^a-z0-9]", "", name.lower())
    for suffix in ("error", "exception"):
        if n.endswith(suffix) and len(n) > len(suffix) + 3:
            n = n[: -len(suffix)]
    return n


_CLASSES = {c[:2] for c in CODE_TO_NAME}
NAME_TO_CODE: dict[str, str] = {_norm(v): k for k, v in CODE_TO_NAME.items()}
# Driver class names that do not follow the condition name (asyncpg, psycopg2, node-postgres, Postgrex).
NAME_TO_CODE.update(
    {
        "serialization": "40001",
        "deadlockdetected": "40P01",
        "deadlock": "40P01",
        "toomanyconnections": "53300",
        "postgresconnection": "08000",
        "connectiondoesnotexist": "08003",
        "querycanceled": "57014",
        "querycancelled": "57014",
        "invalidsqlstatementname": "26000",
        "raise": "P0001",
        "uniqueviolation": "23505",
        "integrityconstraintviolation": "23000",
    }
)

# Message texts of the server (stable across drivers, also seen without any code).
MESSAGE_CODES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.I), c)
    for p, c in [
        (r"duplicate key value violates unique constraint", "23505"),
        (r"violates foreign key constraint", "23503"),
        (r"violates not-null constraint|null value in column .* violates not-null", "23502"),
        (r"violates check constraint", "23514"),
        (r"violates exclusion constraint", "23P01"),
        (
            r"violates row-level security policy|permission denied for (table|schema|relation|sequence|function)",
            "42501",
        ),
        (r"deadlock detected|Deadlock found when trying to get lock|ER_LOCK_DEADLOCK", "40P01"),
        (r"SQLITE_BUSY|database is locked|ER_LOCK_WAIT_TIMEOUT|Lock wait timeout exceeded", "55P03"),
        (r"ER_DUP_ENTRY|Duplicate entry .* for key", "23505"),
        (r"Max client connections reached|ER_CON_COUNT_ERROR|Too many connections", "53300"),
        (r"no unique or exclusion constraint matching the ON CONFLICT", "42P10"),
        (r"operator does not exist", "42883"),
        (r"\b(small|big)?int(eger)? out of range", "22003"),
        (r"invalid byte sequence for encoding", "22021"),
        (
            r"SSL SYSCALL error|SSL connection has been closed unexpectedly|connection already closed|"
            r"Connection terminated unexpectedly|Connection terminated due to connection timeout|"
            r"timeout exceeded when trying to connect|could not receive data from server|"
            r"Client has encountered a connection error",
            "08006",
        ),
        (
            r"canceling statement due to conflict with recovery|terminating connection due to conflict",
            "40001",
        ),
        (r"Tenant or user not found", "28P01"),
        (r"Can't reach database server|could not connect to (the )?database", "08001"),
        (r"QueuePool limit of size \d+ overflow \d+ reached", "53300"),
        (r"Unique constraint failed on the", "23505"),
        (r"Foreign key constraint failed on the field", "23503"),
        (r"Connection is not available, request timed out|SQLTransientConnectionException", "53300"),
        (r"could not serialize access", "40001"),
        (r"could not obtain lock|lock not available", "55P03"),
        (
            r"canceling statement due to (statement|lock) timeout|canceling statement due to user request",
            "57014",
        ),
        (r"too many clients already|remaining connection slots are reserved|too many connections", "53300"),
        (r"the database system is (in recovery mode|starting up|shutting down|not yet accepting)", "57P03"),
        (r"terminating connection due to administrator command", "57P01"),
        (r"terminating connection because of crash of another server process", "57P02"),
        (
            r"server closed the connection unexpectedly|connection to server .* failed: connection refused"
            r"|could not connect to server|connection is closed|connection was closed in the middle",
            "08006",
        ),
        (r"password authentication failed|no pg_hba\.conf entry|role \".*\" does not exist", "28P01"),
        (r"database \".*\" does not exist", "3D000"),
        (r"relation \".*\" does not exist|table .* does not exist", "42P01"),
        (r"column .* does not exist", "42703"),
        (r"function .* does not exist", "42883"),
        (r"syntax error at or near", "42601"),
        (r"is of type .* but expression is of type", "42804"),
        (r"invalid input syntax for (type )?", "22P02"),
        (r"value too long for type", "22001"),
        (r"out of range for type|numeric field overflow", "22003"),
        (r"division by zero", "22012"),
        (r"date/time field value out of range|invalid input value for enum", "22007"),
        (r"more than one row returned by a subquery", "21000"),
        (r"prepared statement \".*\" (does not exist|already exists)", "26000"),
        (r"could not read block|invalid page in block|index .* contains unexpected zero page", "XX001"),
        (r"cannot execute \w+ in a read-only transaction", "25006"),
        (r"current transaction is aborted, commands ignored", "25P02"),
        (r"out of memory", "53200"),
        (r"could not extend file|no space left on device", "53100"),
    ]
]

_CODE_IN_TEXT = [
    re.compile(r"(?:sqlstate|pgcode|pg_code|sql_state|code)[\"']?\s*[:=]\s*[\"']?([0-9A-Z]{5})\b", re.I),
    re.compile(r"\((?:code|SQLSTATE)[: ]\s*([0-9A-Z]{5})\)", re.I),
    re.compile(r"\bSQLSTATE\[?\s*([0-9A-Z]{5})", re.I),
    re.compile(r"^ERROR:\s+([0-9A-Z]{5}):", re.M),
]


def code_in_text(text: str) -> str | None:
    """An explicit SQLSTATE (`'code': '23505'`, `(code: 22P02)`, `pg_code: "40P01"`)."""
    for rx in _CODE_IN_TEXT:
        for m in rx.finditer(text):
            code = m.group(1).upper()
            if code in CODE_TO_NAME:
                return code
            # A code missing from the table counts only where the text says it is a SQLSTATE.
            said = re.search(r"sqlstate|pg_?code|sql_state", m.group(0), re.I)
            if said and code[:2] in _CLASSES and any(ch.isdigit() for ch in code[2:]):
                return code
    return None


def code_for_class_name(exc_name: str) -> str | None:
    """`psycopg2.errors.UniqueViolation` / `asyncpg.exceptions.UndefinedColumnError` -> SQLSTATE."""
    short = exc_name.rsplit(".", 1)[-1]
    return NAME_TO_CODE.get(_norm(short))


def code_for_message(text: str) -> str | None:
    for rx, code in MESSAGE_CODES:
        if rx.search(text):
            return code
    return None


_DDL = re.compile(
    r"\b(CREATE (UNIQUE )?INDEX|ALTER TABLE|REINDEX|VACUUM|CLUSTER|REFRESH MATERIALIZED VIEW)\b", re.I
)


def policy(code: str, text: str = "") -> tuple[str, str, str]:
    """(category, root_cause, condition) for a SQLSTATE, per the benchmark's label rules."""
    name = CODE_TO_NAME.get(code) or CODE_TO_NAME.get(code[:2] + "000", "PostgresError")
    cls = code[:2]
    if code == "57014":
        # A statement timeout on DDL over a big table is deterministic under the role's timeout.
        if _DDL.search(text):
            return "permanent", "infra", name
        return "transient", "infra", name
    if code == "08P01":
        return "permanent", "code", name  # protocol violation: the client sent a malformed message
    if code == "42P05":
        return "permanent", "infra", name  # prepared statements through a transaction-mode pooler
    if cls == "08" or code in {"40001", "40P01", "55P03", "57P01", "57P02", "57P03", "40003"}:
        return "transient", "infra", name
    if cls == "53":
        return ("permanent" if code == "53400" else "transient"), "infra", name
    if cls in {"22", "23", "44", "27"} or code in {"P0001", "P0002", "P0004", "2200"}:
        return "permanent", "data", name
    if cls == "54":
        return "permanent", ("code" if code == "54001" else "data"), name
    if cls in {"28", "3D", "57", "58", "XX", "26", "F0"} or code in {"42501", "53400", "25006"}:
        return "permanent", "infra", name
    # 42xxx syntax/undefined objects, 0A feature, 21 cardinality, 24 cursor, P0003, 55000 ...
    return "permanent", "code", name
