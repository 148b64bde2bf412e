"""PHP extraction and resolution: namespaces, `use` imports, traits, require paths."""

from __future__ import annotations

from tests.codegraph.sample_repo import index_repo

FILES = {
    "src/Support/Loggable.php": """
        <?php
        namespace App\\Support;

        trait Loggable
        {
            protected function log(string $msg): void
            {
                error_log($msg);
            }
        }
        """,
    "src/Models/Model.php": """
        <?php
        namespace App\\Models;

        abstract class Model implements \\JsonSerializable
        {
            public static function find(int $id): static
            {
                return static::hydrate(['id' => $id]);
            }

            protected static function hydrate(array $row): static
            {
                return new static();
            }
        }
        """,
    "src/Models/User.php": """
        <?php
        namespace App\\Models;

        use App\\Support\\Loggable;

        class User extends Model
        {
            use Loggable;

            public function rename(string $name): void
            {
                $this->log("rename");
                $this->name = $name;
            }
        }
        """,
    "src/Http/UserController.php": """
        <?php
        namespace App\\Http;

        use App\\Models\\User;
        use App\\Models\\{Model, Post as Article};

        require_once __DIR__ . '/../bootstrap.php';

        function render(array $data): string { return json_encode($data); }

        class UserController
        {
            public function show(int $id): string
            {
                $user = User::find($id);
                $user->rename('x');
                return render(['user' => $user]);
            }
        }
        """,
    "src/bootstrap.php": """
        <?php
        date_default_timezone_set('UTC');
        """,
}


def test_definitions_and_use_statements() -> None:
    """Traits, abstract classes, static methods; grouped and aliased `use`; namespaces."""
    repo = index_repo(FILES)
    assert repo.defs("src/Models/Model.php") == [
        ("Class", "Model", 4, 15),
        ("Method", "Model.find", 6, 9),
        ("Method", "Model.hydrate", 11, 14),
    ]
    assert repo.defs("src/Support/Loggable.php") == [
        ("Trait", "Loggable", 4, 10),
        ("Method", "Loggable.log", 6, 9),
    ]
    assert repo.imports("src/Http/UserController.php") == [
        ("App\\Models", "User", None),
        ("App\\Models", "Model", None),
        ("App\\Models", "Post", "Article"),
        ("/../bootstrap.php", None, None),
    ]
    assert repo.extractions["src/Models/User.php"].package == "App.Models"


def test_calls_traits_and_inheritance_resolve() -> None:
    """Static calls on imported classes, `$this` into traits, `static::` and functions."""
    repo = index_repo(FILES)
    assert repo.edge_set("CALLS") == {
        ("src/Models/Model.php|Method:Model.find", "src/Models/Model.php|Method:Model.hydrate",
         "scope"),
        ("src/Models/User.php|Method:User.rename", "src/Support/Loggable.php|Method:Loggable.log",
         "scope"),
        ("src/Http/UserController.php|Method:UserController.show",
         "src/Models/Model.php|Method:Model.find", "import"),
        ("src/Http/UserController.php|Method:UserController.show",
         "src/Models/User.php|Method:User.rename", "unique_name"),
        ("src/Http/UserController.php|Method:UserController.show",
         "src/Http/UserController.php|Function:render", "scope"),
    }  # fmt: skip
    assert repo.edge_set("INHERITS") == {
        ("src/Models/User.php|Class:User", "src/Models/Model.php|Class:Model", "package"),
        ("src/Models/User.php|Class:User", "src/Support/Loggable.php|Trait:Loggable", "import"),
    }
    kinds = {e.props["kind"] for e in repo.edges if e.type == "INHERITS"}
    assert kinds == {"extends", "implements"}
    assert repo.edge_set("IMPORTS") >= {
        ("src/Http/UserController.php", "src/Models/User.php", ""),
        ("src/Http/UserController.php", "src/Models/Model.php", ""),
        ("src/Http/UserController.php", "src/bootstrap.php", ""),
        ("src/Models/User.php", "src/Support/Loggable.php", ""),
    }


def test_fully_qualified_names_reach_their_namespace() -> None:
    """`\\App\\Support\\helper()` and `new \\App\\Models\\User()` without a `use`, and Java's
    `com.acme.util.Helper.help()`, reach the definitions in those namespaces."""
    repo = index_repo(
        {
            "src/Support/helpers.php": "<?php\nnamespace App\\Support;\nfunction helper() {}\n",
            "src/Models/User.php": "<?php\nnamespace App\\Models;\nclass User {}\n",
            "src/Http/Controller.php": """
                <?php
                namespace App\\Http;
                function show() {
                    \\App\\Support\\helper();
                    return new \\App\\Models\\User();
                }
                """,
            "src/com/acme/util/Helper.java": """
                package com.acme.util;
                public class Helper { public static void help() {} }
                """,
            "src/com/acme/app/App.java": """
                package com.acme.app;
                class App { void run() { com.acme.util.Helper.help(); } }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/Http/Controller.php|Function:show", "src/Support/helpers.php|Function:helper",
         "import"),
        ("src/Http/Controller.php|Function:show", "src/Models/User.php|Class:User", "import"),
        ("src/com/acme/app/App.java|Method:App.run",
         "src/com/acme/util/Helper.java|Method:Helper.help", "import"),
    }  # fmt: skip


def test_a_static_call_on_a_class_path_reads_it_as_php_does() -> None:
    """`\\App\\Support\\Str::slug()` reaches the class; a path without the leading `\\`
    starts in the file's namespace unless the file `use`s its first name; a library's class
    path is never guessed into the repository's namesake."""
    repo = index_repo(
        {
            "src/Support/Str.php": """
                <?php
                namespace App\\Support;
                class Str { public static function slug($s) { return $s; } }
                """,
            "src/Text.php": "<?php\nclass Text { public function squish() {} }\n",
            "src/Http/Full.php": """
                <?php
                namespace App\\Http;
                function full() { return \\App\\Support\\Str::slug('a'); }
                """,
            "src/Http/Wrong.php": """
                <?php
                namespace App\\Http;
                function wrong() { return App\\Support\\Str::slug('a'); }
                """,
            "src/Relative.php": """
                <?php
                namespace App;
                function relative() { return Support\\Str::slug('a'); }
                """,
            "src/Http/Used.php": """
                <?php
                namespace App\\Http;
                use App\\Support;
                function used() { return Support\\Str::slug('a'); }
                """,
            "src/Http/Library.php": """
                <?php
                namespace App\\Http;
                function library() { return \\Illuminate\\Support\\Str::squish('a'); }
                """,
        }
    )
    slug = "src/Support/Str.php|Method:Str.slug"
    assert repo.edge_set("CALLS") == {
        ("src/Http/Full.php|Function:full", slug, "import"),
        ("src/Relative.php|Function:relative", slug, "import"),
        ("src/Http/Used.php|Function:used", slug, "import"),
    }


def test_a_lone_word_is_a_variable_before_it_is_a_package() -> None:
    """`api.fetchUsers()` on a Kotlin property named like the package `api` is a call on the
    object (of its declared type), not the package's top-level function."""
    repo = index_repo(
        {
            "src/api/Api.kt": "package api\n\nfun fetchUsers() {}\n",
            "src/ui/UserApi.kt": "package ui\n\nclass UserApi {\n    fun fetchUsers() {}\n}\n",
            "src/ui/Screen.kt": """
                package ui

                class Screen(val api: UserApi) {
                    fun load() { api.fetchUsers() }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/ui/Screen.kt|Method:Screen.load", "src/ui/UserApi.kt|Method:UserApi.fetchUsers",
         "type"),
    }  # fmt: skip


def test_private_methods_and_psr7_names_are_no_guess_for_other_files() -> None:
    """Slim: `$request->getMethod()` is PSR-7's, not `RoutingResults::getMethod`; a private
    `prefix()` is no target for `$other->prefix()` in another class, but is for `$clone->prefix()`
    in its own (flysystem's `MountManager`)."""
    repo = index_repo(
        {
            "src/RoutingResults.php": """
                <?php
                namespace Slim;
                class RoutingResults {
                    public function getMethod() { return ''; }
                    private function prefix() { return ''; }
                    public function path() { return $this->prefix(); }
                    public function with($clone) { return $clone->prefix(); }
                }
                """,
            "src/Handler.php": """
                <?php
                namespace App;
                class Handler {
                    public function handle($request, $other) {
                        $request->getMethod();
                        $other->prefix();
                    }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/RoutingResults.php|Method:RoutingResults.path",
         "src/RoutingResults.php|Method:RoutingResults.prefix", "scope"),
        ("src/RoutingResults.php|Method:RoutingResults.with",
         "src/RoutingResults.php|Method:RoutingResults.prefix", "unique_name"),
    }  # fmt: skip


def test_a_method_handing_on_through_a_field_and_test_classes_beside_the_code() -> None:
    """flysystem: `$this->detector->detectMimeType()` inside `detectMimeType` hands the call
    on to another object, not to itself; a `*Test.php` class beside the code is a test, whose
    `prefixPath` leaves `PathPrefixer::prefixPath` the one production namesake."""
    repo = index_repo(
        {
            "src/FallbackDetector.php": """
                <?php
                namespace League;
                class FallbackDetector {
                    public function detectMimeType($path) {
                        return $this->detector->detectMimeType($path);
                    }
                }
                """,
            "src/PathPrefixer.php": """
                <?php
                namespace League;
                class PathPrefixer { public function prefixPath($p) { return $p; } }
                """,
            "src/Gcs/GcsAdapterTest.php": """
                <?php
                namespace League\\Gcs;
                class GcsAdapterTest { public function prefixPath($p) { return $p; } }
                """,
            "src/Gcs/GcsAdapter.php": """
                <?php
                namespace League\\Gcs;
                class GcsAdapter {
                    public function write($p) { return $this->prefixer->prefixPath($p); }
                }
                """,
        }
    )
    assert repo.extractions["src/Gcs/GcsAdapter.php"].calls[0].receiver == "$this->prefixer"
    assert repo.edge_set("CALLS") == {
        ("src/Gcs/GcsAdapter.php|Method:GcsAdapter.write",
         "src/PathPrefixer.php|Method:PathPrefixer.prefixPath", "unique_name"),
    }  # fmt: skip


def test_a_call_on_a_declared_receiver_is_looked_up_in_its_type() -> None:
    """flysystem's `$adapter->write()` reaches the declared type: typed parameters (also
    `?Buffer`), typed properties (`$this->buf`), promoted constructor parameters and
    `$q = new Buffer()`. A PSR interface the repository does not define gets no guess."""
    repo = index_repo(
        {
            "src/Buffer.php": """
                <?php
                namespace App;
                class Buffer { public function write($b) {} }
                class Sink { public function write($b) {} }
                class Api { public function fetchAll() {} }
                """,
            "src/Use.php": """
                <?php
                namespace App;
                use Psr\\Http\\Message\\ServerRequestInterface;
                class A {
                    private Buffer $buf;
                    public function __construct(private Api $api) {}
                    public function m(Sink $s, ?Buffer $o, ServerRequestInterface $req) {
                        $q = new Buffer();
                        $s->write(1); $this->api->fetchAll(); $this->buf->write(2);
                        $q->write(3); $o->write(4); $req->fetchAll();
                    }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/Use.php|Method:A.m", "src/Buffer.php|Class:Buffer", "package"),
        ("src/Use.php|Method:A.m", "src/Buffer.php|Method:Api.fetchAll", "type"),
        ("src/Use.php|Method:A.m", "src/Buffer.php|Method:Buffer.write", "type"),
        ("src/Use.php|Method:A.m", "src/Buffer.php|Method:Sink.write", "type"),
    }


def test_a_promoted_constructor_parameter_is_a_property_for_other_files() -> None:
    """`__construct(private Api $api)` declares a property that a subclass in another file
    calls through (`$this->api->fetchAll()`), and is a parameter in the constructor's body
    (`$api->fetchAll()`); a plain parameter (`Other $other`) is no property."""
    repo = index_repo(
        {
            "src/Api.php": """
                <?php
                namespace App;
                class Api { public function fetchAll() {} }
                class Other { public function fetchAll() {} }
                """,
            "src/Base.php": """
                <?php
                namespace App;
                class Base {
                    public function __construct(protected Api $api, Other $other) {
                        $api->fetchAll();
                    }
                }
                """,
            "src/Svc.php": """
                <?php
                namespace App;
                class Svc extends Base {
                    public function run() { $this->api->fetchAll(); $this->other->fetchAll(); }
                }
                """,
        }
    )
    assert repo.extractions["src/Base.php"].fields == (("Base", "api", "Api"),)
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        ("src/Base.php|Method:Base.__construct", "src/Api.php|Method:Api.fetchAll", "type"),
        ("src/Svc.php|Method:Svc.run", "src/Api.php|Method:Api.fetchAll", "type"),
    }


def test_a_property_set_from_a_typed_parameter_takes_its_type() -> None:
    """flysystem's S3ClientStub: `$this->actualClient = $client` in a constructor taking
    `S3Client $client` types the untyped property for `$this->actualClient->...` calls."""
    repo = index_repo(
        {
            "src/Client.php": """
                <?php
                namespace App;
                class Client { public function fetch() {} }
                class Other { public function fetch() {} }
                """,
            "src/Svc.php": """
                <?php
                namespace App;
                class Svc {
                    private $client;
                    public function __construct(Client $client) { $this->client = $client; }
                    public function run() { $this->client->fetch(); }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/Svc.php|Method:Svc.run", "src/Client.php|Method:Client.fetch", "type"),
    }


def test_a_bare_function_call_reaches_its_namespace_or_the_global_scope_only() -> None:
    """PHP looks a bare function up in the caller's namespace, then in the global one: a
    function of another namespace is no match (flysystem's mocks of `unlink()` in
    `namespace League\\Flysystem\\Ftp` are not what `unlink()` elsewhere calls), and
    `\\unlink()` is the global function, never the mock it is called in."""
    repo = index_repo(
        {
            "tests/mocked-functions.php": """
                <?php
                namespace League\\Flysystem\\Ftp {
                    function unlink($p) { return \\unlink($p); }
                }
                """,
            "src/Ftp/FtpAdapter.php": """
                <?php
                namespace League\\Flysystem\\Ftp;
                class FtpAdapter { public function delete() { unlink('x'); } }
                """,
            "src/Reader.php": """
                <?php
                namespace League\\Flysystem;
                class Reader { public function read() { unlink('x'); helper(); \\helper(); } }
                """,
            "src/functions.php": """
                <?php
                function helper() {}
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/Ftp/FtpAdapter.php|Method:FtpAdapter.delete",
         "tests/mocked-functions.php|Function:unlink", "package"),
        ("src/Reader.php|Method:Reader.read", "src/functions.php|Function:helper", "unique_name"),
    }  # fmt: skip


# A file of several namespaces: flysystem's mocked-functions.php (braced blocks, a global
# one), and PHPUnit-style test helpers (`namespace A;` statements, each up to the next).
NAMESPACE_FILES = {
    "tests/mocked-functions.php": """
        <?php
        namespace League\\Flysystem\\Local {
            function unlink(...$arguments)
            {
                if ( ! is_mocked('unlink')) {
                    return \\unlink(...$arguments);
                }
                Recorder::record('unlink');
                return return_mocked_value('unlink');
            }
        }

        namespace League\\Flysystem\\Ftp {
            use League\\Flysystem\\Mocks\\Recorder;

            function ftp_raw(...$arguments)
            {
                Recorder::record('ftp_raw');
                return \\ftp_raw(...$arguments);
            }
        }

        namespace {
            function is_mocked(string $name) { return isset($GLOBALS['mocks'][$name]); }
            function return_mocked_value(string $name) { return $GLOBALS['mocks'][$name]; }
        }
        """,
    "tests/helpers.php": """
        <?php
        namespace App\\Support;

        use App\\Models\\User;

        function make_user() { return new User(); }

        namespace App\\Testing;

        function make_user() { return factory(); }
        function factory() { return new User(); }

        class UserFactory { public function create() { return make_user(); } }
        """,
    "src/Local/LocalFilesystemAdapter.php": """
        <?php
        namespace League\\Flysystem\\Local;

        class LocalFilesystemAdapter
        {
            public function delete(string $path): void
            {
                unlink($path);
                Recorder::record('delete');
            }
        }
        """,
    "src/Local/Recorder.php": """
        <?php
        namespace League\\Flysystem\\Local;
        class Recorder { public static function record($n) {} }
        """,
    "src/Mocks/Recorder.php": """
        <?php
        namespace League\\Flysystem\\Mocks;
        class Recorder { public static function record($n) {} }
        """,
    "src/Ftp/FtpAdapter.php": """
        <?php
        namespace League\\Flysystem\\Ftp;

        class FtpAdapter
        {
            public function delete(string $path): void
            {
                ftp_raw($this->connection, 'DELE ' . $path);
                unlink($path);
                is_mocked('ftp_raw');
            }
        }
        """,
    "src/Models/User.php": """
        <?php
        namespace App\\Models;
        class User {}
        """,
    "tests/UserTest.php": """
        <?php
        namespace App\\Http;

        use function App\\Testing\\make_user;
        use App\\Testing\\UserFactory;

        class UserTest
        {
            public function testShow(UserFactory $users): void
            {
                $users->create();
                make_user();
                \\App\\Testing\\factory();
                \\App\\Support\\make_user();
            }
        }
        """,
}


def test_each_namespace_block_defines_in_its_own_namespace() -> None:
    """Each block of a file of several namespaces is a Namespace whose definitions carry it
    in their qualified names: `make_user` of `App\\Support` and of `App\\Testing` are two;
    a global block's have none; the file has no single package."""
    repo = index_repo(NAMESPACE_FILES)
    assert repo.defs("tests/mocked-functions.php") == [
        ("Namespace", "League.Flysystem.Local", 2, 11),
        ("Function", "League.Flysystem.Local.unlink", 3, 10),
        ("Namespace", "League.Flysystem.Ftp", 13, 21),
        ("Function", "League.Flysystem.Ftp.ftp_raw", 16, 20),
        ("Function", "is_mocked", 24, 24),
        ("Function", "return_mocked_value", 25, 25),
    ]
    assert repo.defs("tests/helpers.php") == [
        ("Namespace", "App.Support", 2, 7),
        ("Function", "App.Support.make_user", 6, 6),
        ("Namespace", "App.Testing", 8, 13),
        ("Function", "App.Testing.make_user", 10, 10),
        ("Function", "App.Testing.factory", 11, 11),
        ("Class", "App.Testing.UserFactory", 13, 13),
        ("Method", "App.Testing.UserFactory.create", 13, 13),
    ]
    assert repo.extractions["tests/helpers.php"].package is None
    names = {d.name for d in repo.extractions["tests/helpers.php"].definitions}
    assert "App\\Testing" in names  # the namespace as written


def test_calls_resolve_with_their_blocks_namespace_and_uses() -> None:
    """A call in a block reads that block's namespace and `use`s only: the Ftp block's
    `use ...\\Mocks\\Recorder` binds nothing in the Local block nor `User` in the second
    helpers block; code of each namespace reaches the mock of its own namespace, and other
    files reach a block's functions by `use function`, by path, and a global block's as
    globals."""
    repo = index_repo(NAMESPACE_FILES)
    mocks, helpers = "tests/mocked-functions.php", "tests/helpers.php"
    assert repo.edge_set("CALLS") == {
        (f"{mocks}|Function:League.Flysystem.Local.unlink", f"{mocks}|Function:is_mocked",
         "scope"),
        (f"{mocks}|Function:League.Flysystem.Local.unlink",
         f"{mocks}|Function:return_mocked_value", "scope"),
        (f"{mocks}|Function:League.Flysystem.Local.unlink",
         "src/Local/Recorder.php|Method:Recorder.record", "package"),
        (f"{mocks}|Function:League.Flysystem.Ftp.ftp_raw",
         "src/Mocks/Recorder.php|Method:Recorder.record", "import"),
        ("src/Local/LocalFilesystemAdapter.php|Method:LocalFilesystemAdapter.delete",
         f"{mocks}|Function:League.Flysystem.Local.unlink", "package"),
        ("src/Local/LocalFilesystemAdapter.php|Method:LocalFilesystemAdapter.delete",
         "src/Local/Recorder.php|Method:Recorder.record", "package"),
        ("src/Ftp/FtpAdapter.php|Method:FtpAdapter.delete",
         f"{mocks}|Function:League.Flysystem.Ftp.ftp_raw", "package"),
        ("src/Ftp/FtpAdapter.php|Method:FtpAdapter.delete", f"{mocks}|Function:is_mocked",
         "unique_name"),
        (f"{helpers}|Function:App.Support.make_user", "src/Models/User.php|Class:User",
         "import"),
        (f"{helpers}|Function:App.Testing.make_user", f"{helpers}|Function:App.Testing.factory",
         "scope"),
        (f"{helpers}|Method:App.Testing.UserFactory.create",
         f"{helpers}|Function:App.Testing.make_user", "scope"),
        ("tests/UserTest.php|Method:UserTest.testShow",
         f"{helpers}|Method:App.Testing.UserFactory.create", "type"),
        ("tests/UserTest.php|Method:UserTest.testShow",
         f"{helpers}|Function:App.Testing.make_user", "import"),
        ("tests/UserTest.php|Method:UserTest.testShow",
         f"{helpers}|Function:App.Testing.factory", "import"),
        ("tests/UserTest.php|Method:UserTest.testShow",
         f"{helpers}|Function:App.Support.make_user", "import"),
    }  # fmt: skip
    assert repo.edge_set("IMPORTS") >= {
        (mocks, "src/Mocks/Recorder.php", ""),
        (helpers, "src/Models/User.php", ""),
        ("tests/UserTest.php", helpers, ""),
    }


CALL_RESULT_FILES = {
    "src/Lib/Session.php": """
        <?php
        namespace Lib;

        class Session
        {
            public function close(): void {}
        }
        """,
    "src/App/Client.php": """
        <?php
        namespace App;

        use Lib\\Session;

        class Client
        {
            public function open(): Session { return new Session(); }
            public function maybe(): ?\\Lib\\Session { return null; }
            public static function make(): static { return new static(); }
            public function get(): void {}
            public function all(): array { return []; }
        }

        function make_client(): Client { return new Client(); }
        """,
    "src/App/Run.php": """
        <?php
        namespace App;

        class Run
        {
            public function go()
            {
                $c = Client::make();
                $c->get();
                $s = $c->open();
                $s->close();
            }

            public function other()
            {
                $u = make_client();
                $m = $u->maybe();
                $m->close();
                $this->client = make_client();
                $this->client->get();
            }
        }
        """,
}


def test_a_variable_set_from_a_call_has_the_type_its_callee_returns() -> None:
    """`$c = Client::make()` has the class make declares (`: static`, the declaring class),
    `$s = $c->open()` Client::open's `Session` (through its file's `use`), `?\\Lib\\Session`
    too; so does a `$this->client` set from a call. `array` names none."""
    repo = index_repo(CALL_RESULT_FILES)
    client = repo.extractions["src/App/Client.php"].definitions
    assert [(d.qualified_name, d.returns) for d in client if d.returns] == [
        ("Client.open", "Session"), ("Client.maybe", "Lib.Session"), ("Client.make", "Self"),
        ("make_client", "Client"),
    ]  # fmt: skip
    go, other = "src/App/Run.php|Method:Run.go", "src/App/Run.php|Method:Run.other"
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        (go, "src/App/Client.php|Method:Client.get", "type"),
        (go, "src/App/Client.php|Method:Client.open", "type"),
        (go, "src/Lib/Session.php|Method:Session.close", "type"),
        (other, "src/App/Client.php|Method:Client.maybe", "type"),
        (other, "src/Lib/Session.php|Method:Session.close", "type"),
        (other, "src/App/Client.php|Method:Client.get", "type"),
    }


def test_a_parameter_set_again_from_an_unknown_call_keeps_its_declared_type() -> None:
    """`$package = $queue->dequeue()` after `BasePackage $package`: the queue's type is not
    known, so `$package->getNames()` is still BasePackage's, not Other's namesake; after
    `$package = $this->make()`, whose result is declared, it is that type's."""
    repo = index_repo(
        {
            "src/Pkg.php": """
                <?php
                namespace App;

                class BasePackage { public function getNames() {} }
                class Other { public function getNames() {} }
                class Made { public function getNames() {} }

                class Gen {
                    public function make(): Made { return new Made(); }

                    public function add(BasePackage $package, $queue) {
                        $package = $queue->dequeue();
                        $package->getNames();
                        $package = $this->make();
                        $package->getNames();
                    }
                }
            """,
        }
    )
    assert {t for s, t, _ in repo.edge_set("CALLS") if t.endswith("getNames")} == {
        "src/Pkg.php|Method:BasePackage.getNames",
        "src/Pkg.php|Method:Made.getNames",
    }


DOCUMENTED_FILES = {
    "src/Model/Task.php": """
        <?php
        namespace App\\Model;
        class Task { public function start() {} public function stop() {} }
        class Job { public function start() {} public function stop() {} }
        interface IOInterface { public function write($s); }
        class ConsoleIO implements IOInterface { public function write($s) {} }
        class Clock { public function tick() {} }
        """,
    "src/Board.php": """
        <?php
        namespace App;

        use App\\Model\\IOInterface;
        use App\\Model\\Task;

        class Board {
            /** @var Task[] */
            protected $tasks;
            /**
             * @var IOInterface
             */
            protected $io;
            /** @var array<string, Task> */
            private array $byName;

            /**
             * @param Task[] $list the tasks
             * @param IOInterface|null $out
             * @param mixed $any
             */
            public function run(array $list, $out, $any) {
                foreach ($list as $task) { $task->start(); }
                foreach ($this->byName as $name => $named) { $named->stop(); }
                $out->write("x");
                $this->io->write("y");
                $any->tick();
            }

            /** @return Task[] */
            public function all(): array { return $this->tasks; }

            /** @return $this */
            public function again() { return $this; }
        }
        """,
    "src/Wall.php": """
        <?php
        namespace App;

        use App\\Model\\Job;

        class Wall extends Board {
            /** @param object[] $operations */
            public function apply(array $operations) {
                foreach ($operations as $operation) {
                    /** @var Job $operation */
                    $operation->start();
                }
            }

            public function show(Board $board) {
                foreach ($board->all() as $task) { $task->stop(); }
                foreach ($this->tasks as $t) { $t->start(); }
                $this->io->write("w");
                $board->again()->all();
            }
        }
        """,
}


def test_doc_comment_types_type_properties_parameters_results_and_loops() -> None:
    """PHPDoc types where the code leaves them out (composer's `/** @var IOInterface */
    protected $io;`, `@param Task[] $list` on an `array`): calls on the properties and
    parameters reach the documented class, loops over documented collections (here or in a
    subclass) and over a method's documented `@return Task[]` reach the element's, and
    `@return $this` is the declaring class, and an inline `/** @var Job $operation */`
    types the variable from there on. `mixed` names no type: `$any->tick()` is left to the
    unique-name rules."""
    repo = index_repo(DOCUMENTED_FILES)
    board = repo.extractions["src/Board.php"]
    assert board.fields == (("Board", "byName", "[]Task"), ("Board", "io", "IOInterface"),
                            ("Board", "tasks", "[]Task"))  # fmt: skip
    assert [(d.qualified_name, d.returns) for d in board.definitions if d.returns] == [
        ("Board.all", "[]Task"), ("Board.again", "Self"),
    ]  # fmt: skip
    run, show = "src/Board.php|Method:Board.run", "src/Wall.php|Method:Wall.show"
    task, io = "src/Model/Task.php|Method:Task", "src/Model/Task.php|Method:IOInterface"
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        (run, f"{task}.start", "type"),
        (run, f"{task}.stop", "type"),
        (run, f"{io}.write", "type"),
        (show, f"{task}.stop", "type"),
        (show, f"{task}.start", "type"),
        (show, f"{io}.write", "type"),
        (show, "src/Board.php|Method:Board.again", "type"),
        (show, "src/Board.php|Method:Board.all", "type"),
        ("src/Wall.php|Method:Wall.apply", "src/Model/Task.php|Method:Job.start", "type"),
    }
    assert (run, "src/Model/Task.php|Method:Clock.tick", "unique_name") in repo.edge_set("CALLS")


def test_an_instanceof_test_types_the_variable_where_it_holds() -> None:
    """composer's `if ($operation instanceof UpdateOperation) { ... }`, `elseif`, a ternary
    and an `&&`: inside, the variable is the tested class (a method only it has, as
    `getTarget`, resolves); outside, it is what it was declared as (`Operation $op`), and an
    untyped one is untyped again (`$other->getTarget()` stays a name defined twice), and
    `instanceof self` names no class by itself."""
    repo = index_repo(
        {
            "src/Ops.php": """
                <?php
                namespace App;

                class Operation { public function getPackage() {} }
                class Update extends Operation { public function getTarget() {} }
                class Install extends Operation { public function getTarget() {} }

                class Runner {
                    public function run(Operation $op, $other) {
                        if ($op instanceof Update) {
                            $op->getTarget();
                        } elseif ($op instanceof Install) {
                            $op->getTarget();
                        }
                        $op->getPackage();
                        $name = $other instanceof Update ? $other->getTarget() : null;
                        if ($other instanceof Install && $other->getPackage()) {
                            $other->getTarget();
                        }
                        $other->getTarget();
                        if ($other instanceof self) { $other->getTarget(); }
                    }
                }
            """,
        }
    )
    assert {(t, how) for s, t, how in repo.edge_set("CALLS")} == {
        ("src/Ops.php|Method:Update.getTarget", "type"),
        ("src/Ops.php|Method:Install.getTarget", "type"),
        ("src/Ops.php|Method:Operation.getPackage", "type"),
    }
    calls = repo.extractions["src/Ops.php"].calls
    # The declared type stays the fallback where the tested class has no such method.
    assert [c.receiver_type for c in calls if c.name == "getTarget"] == [
        "Update||Operation", "Install||Operation", "Update", "Install", None, None,
    ]  # fmt: skip


def test_a_relative_namespace_path_is_read_from_the_namespace_or_a_use() -> None:
    """`new Op\\Update()` in namespace `App\\Res` is `App\\Res\\Op\\Update`; after `use
    App\\Other;`, `Other\\Update` is `App\\Other\\Update` (guzzle's `new Handler\\CurlFactory`).
    So are a parameter declared `Op\\Update $u`, a type test and a function's path, not
    the namesakes elsewhere."""
    repo = index_repo(
        {
            "src/Res/Op/Update.php": """
                <?php
                namespace App\\Res\\Op;
                class Update { public function target() {} }
                function make() {}
                """,
            "src/Other/Update.php": """
                <?php
                namespace App\\Other;
                class Update { public function target() {} }
                """,
            "src/Op/Update.php": """
                <?php
                namespace Op;
                class Update { public function target() {} }
                """,
            "src/Res/Run.php": """
                <?php
                namespace App\\Res;

                use App\\Other;

                class Run {
                    public function go(Op\\Update $u, $v) {
                        $u->target();
                        new Op\\Update();
                        new Other\\Update();
                        Op\\make();
                        if ($v instanceof Other\\Update) { $v->target(); }
                    }
                }
                """,
        }
    )
    go = "src/Res/Run.php|Method:Run.go"
    assert {t for s, t, _ in repo.edge_set("CALLS") if s == go} == {
        "src/Res/Op/Update.php|Class:Update",
        "src/Res/Op/Update.php|Method:Update.target",
        "src/Res/Op/Update.php|Function:make",
        "src/Other/Update.php|Class:Update",
        "src/Other/Update.php|Method:Update.target",
    }
