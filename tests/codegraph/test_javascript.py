"""JavaScript, TypeScript and TSX extraction and resolution across relative module imports."""

from __future__ import annotations

from activities.codegraph.model import Import
from tests.codegraph.sample_repo import index_repo

FILES = {
    "src/http/client.js": """
        const { retry } = require('../util/retry');
        const axios = require('axios');

        class HttpClient {
          constructor(base) { this.base = base; }
          get(path) { return retry(() => this.send('GET', path)); }
          send(method, path) { return axios.request({ method, url: this.base + path }); }
        }

        module.exports = { HttpClient };
        """,
    "src/util/retry.js": """
        export function retry(fn, times = 3) {
          for (let i = 0; i < times; i++) {
            try { return fn(); } catch (e) { backoff(i); }
          }
        }
        const backoff = (i) => new Promise((r) => setTimeout(r, 2 ** i));
        """,
    "src/api/users.ts": """
        import { HttpClient } from '../http/client';
        import * as log from './log';
        import type { User } from './types';

        export interface Repository<T> {
          find(id: string): Promise<T>;
        }

        export abstract class Resource {
          protected client = new HttpClient('/api');
          abstract path(): string;
        }

        export class UserResource extends Resource implements Repository<User> {
          path() { return '/users'; }
          async find(id: string) {
            log.debug('find', id);
            return this.client.get(`${this.path()}/${id}`);
          }
        }

        export enum Role { Admin, Member }
        """,
    "src/api/log.ts": """
        export function debug(...args: unknown[]): void {
          console.log(...args);
        }
        """,
    "src/api/types.ts": """
        export interface User { id: string }
        """,
    "src/ui/UserCard.tsx": """
        import React from 'react';
        import { UserResource } from '../api/users';

        export function UserCard({ id }: { id: string }) {
          const users = new UserResource();
          users.find(id);
          return <div className="card">{id}</div>;
        }
        """,
}


def test_definitions_in_js_ts_and_tsx() -> None:
    """Classes, methods (also interface and abstract ones), arrow-function constants,
    interfaces and enums with their lines."""
    repo = index_repo(FILES)
    assert repo.defs("src/http/client.js") == [
        ("Class", "HttpClient", 4, 8),
        ("Method", "HttpClient.constructor", 5, 5),
        ("Method", "HttpClient.get", 6, 6),
        ("Method", "HttpClient.send", 7, 7),
    ]
    assert repo.defs("src/util/retry.js") == [
        ("Function", "retry", 1, 5),
        ("Function", "backoff", 6, 6),
    ]
    assert repo.defs("src/api/users.ts") == [
        ("Interface", "Repository", 5, 7),
        ("Method", "Repository.find", 6, 6),  # a signature: interfaces declare methods too
        ("Class", "Resource", 9, 12),
        ("Method", "Resource.path", 11, 11),  # abstract
        ("Class", "UserResource", 14, 20),
        ("Method", "UserResource.path", 15, 15),
        ("Method", "UserResource.find", 16, 19),
        ("Enum", "Role", 22, 22),
    ]
    assert repo.defs("src/ui/UserCard.tsx") == [("Function", "UserCard", 4, 8)]


def test_es_imports_and_require_bindings() -> None:
    """Named, namespace and default imports and destructured require() are all recorded."""
    repo = index_repo(FILES)
    assert repo.imports("src/http/client.js") == [
        ("../util/retry", "retry", None),
        ("axios", None, "axios"),
    ]
    assert repo.imports("src/api/users.ts") == [
        ("../http/client", "HttpClient", None),
        ("./log", "*", "log"),
        ("./types", "User", None),
    ]
    assert repo.imports("src/ui/UserCard.tsx") == [
        ("react", "default", "React"),
        ("../api/users", "UserResource", None),
    ]


def test_calls_resolve_across_files_and_languages() -> None:
    """TS calls into JS via imports, TSX into TS; `users.find()` is UserResource's, as
    `users = new UserResource()` says (`find` is too common a name to guess)."""
    calls = index_repo(FILES).edge_set("CALLS")
    assert calls == {
        ("src/http/client.js|Method:HttpClient.get", "src/util/retry.js|Function:retry",
         "import"),
        ("src/http/client.js|Method:HttpClient.get", "src/http/client.js|Method:HttpClient.send",
         "scope"),
        ("src/util/retry.js|Function:retry", "src/util/retry.js|Function:backoff", "scope"),
        ("src/api/users.ts|Class:Resource", "src/http/client.js|Class:HttpClient", "import"),
        ("src/api/users.ts|Method:UserResource.find", "src/api/log.ts|Function:debug",
         "import"),
        ("src/api/users.ts|Method:UserResource.find", "src/api/users.ts|Method:UserResource.path",
         "scope"),
        ("src/ui/UserCard.tsx|Function:UserCard", "src/api/users.ts|Class:UserResource",
         "import"),
        ("src/ui/UserCard.tsx|Function:UserCard", "src/api/users.ts|Method:UserResource.find",
         "type"),
    }  # fmt: skip


def test_inheritance_and_import_edges() -> None:
    """`extends` and `implements` resolve; bare package imports become Module targets."""
    repo = index_repo(FILES)
    assert repo.edge_set("INHERITS") == {
        ("src/api/users.ts|Class:UserResource", "src/api/users.ts|Class:Resource", "scope"),
        ("src/api/users.ts|Class:UserResource", "src/api/users.ts|Interface:Repository",
         "scope"),
    }  # fmt: skip
    inherit_kinds = {e.props["kind"] for e in index_repo(FILES).edges if e.type == "INHERITS"}
    assert inherit_kinds == {"extends", "implements"}
    assert repo.edge_set("IMPORTS") == {
        ("src/http/client.js", "src/util/retry.js", ""),
        ("src/http/client.js", "module:axios", ""),
        ("src/api/users.ts", "src/http/client.js", ""),
        ("src/api/users.ts", "src/api/log.ts", ""),
        ("src/api/users.ts", "src/api/types.ts", ""),
        ("src/ui/UserCard.tsx", "module:react", ""),
        ("src/ui/UserCard.tsx", "src/api/users.ts", ""),
    }


def test_commonjs_exports_are_definitions_reached_through_require() -> None:
    """`exports.parseArgs = function` and `module.exports.buildIt = () => ...` define
    functions; `lib.parseArgs()` after `const lib = require('./lib')` reaches them."""
    repo = index_repo(
        {
            "src/lib.js": """
                exports.parseArgs = function (argv) { return argv; };
                module.exports.buildIt = () => {};
                other.thing = function () {};
                """,
            "src/cli.js": """
                const lib = require('./lib');
                function main() { lib.parseArgs([]); lib.buildIt(); }
                """,
        }
    )
    assert repo.defs("src/lib.js") == [
        ("Function", "parseArgs", 1, 1),
        ("Function", "buildIt", 2, 2),
    ]
    assert repo.edge_set("CALLS") == {
        ("src/cli.js|Function:main", "src/lib.js|Function:parseArgs", "import"),
        ("src/cli.js|Function:main", "src/lib.js|Function:buildIt", "import"),
    }


ES5_CLASSES = {
    # express's lib/view.js and lib/application.js, cut down.
    "lib/view.js": """
        function View(name, options) {
          function extension(n) { return n; }
          this.ext = extension(name);
          this.path = this.lookup(name);
        }

        View.prototype.lookup = function lookup(name) {
          return this.resolve('.', name);
        };

        View.prototype.resolve = function resolve(dir, file) {
          return dir + file;
        };

        View.all = function (fn) {};

        module.exports = View;
        """,
    "lib/application.js": """
        var View = require('./view');
        var app = exports = module.exports = {};

        app.init = function init() {
          this.defaultConfiguration();
        };

        app.defaultConfiguration = function defaultConfiguration() {
          this.set('x', 1);
        };

        app.set = app.setting = function set(setting, val) {
          return val;
        };

        app.render = function render(name) {
          View.all();
          return new View(name, {});
        };
        """,
    "lib/request.js": """
        var req = Object.create(http.IncomingMessage.prototype);
        var settings = { trust: false };

        req.range = function range(size) { return this.get('Range'); };
        req.get = (name) => name;
        """,
}


def test_es5_methods_assigned_to_a_prototype_or_an_object_are_definitions() -> None:
    """`View.prototype.lookup = function` and `View.all = function` are methods of View,
    which is then a class (its own nested functions stay functions); `app.set = function`
    makes `var app = ... = {}` an Object with that method, and so `Object.create()`'s
    result; an object given no method (`settings`) is no definition. An assignment to two
    names (`app.set = app.setting = function`) defines both."""
    repo = index_repo(ES5_CLASSES)
    assert repo.defs("lib/view.js") == [
        ("Class", "View", 1, 5),
        ("Function", "View.extension", 2, 2),
        ("Method", "View.lookup", 7, 9),
        ("Method", "View.resolve", 11, 13),
        ("Method", "View.all", 15, 15),
    ]
    assert repo.defs("lib/application.js") == [
        ("Object", "app", 2, 2),
        ("Method", "app.init", 4, 6),
        ("Method", "app.defaultConfiguration", 8, 10),
        ("Method", "app.set", 12, 14),
        ("Method", "app.setting", 12, 14),
        ("Method", "app.render", 16, 19),
    ]
    assert repo.defs("lib/request.js") == [
        ("Object", "req", 1, 1),
        ("Method", "req.range", 4, 4),
        ("Method", "req.get", 5, 5),
    ]


def test_this_in_an_es5_method_is_its_owner_and_new_reaches_the_constructor() -> None:
    """`this.resolve()` in a prototype method and `this.lookup()` in the constructor reach
    View's methods, `this.set()` in `app.defaultConfiguration` reaches `app.set`; another
    file's `new View()` and `View.all()` (View bound by `require()`, the module exporting
    it) reach the constructor and its static method; the constructor's call of a function
    declared in its body reaches that function."""
    calls = index_repo(ES5_CLASSES).edge_set("CALLS")
    assert calls == {
        ("lib/view.js|Class:View", "lib/view.js|Function:View.extension", "scope"),
        ("lib/view.js|Class:View", "lib/view.js|Method:View.lookup", "scope"),
        ("lib/view.js|Method:View.lookup", "lib/view.js|Method:View.resolve", "scope"),
        ("lib/application.js|Method:app.init",
         "lib/application.js|Method:app.defaultConfiguration", "scope"),
        ("lib/application.js|Method:app.defaultConfiguration",
         "lib/application.js|Method:app.set", "scope"),
        ("lib/application.js|Method:app.render", "lib/view.js|Class:View", "import"),
        ("lib/application.js|Method:app.render", "lib/view.js|Method:View.all", "import"),
        ("lib/request.js|Method:req.range", "lib/request.js|Method:req.get", "scope"),
    }  # fmt: skip


def test_properties_set_inside_functions_or_on_outside_objects_define_nothing() -> None:
    """A handler set inside a function (`request.onabort = function`, zod's `inst.min =`
    in a constructor), a method added to a library's prototype (`Array.prototype`), to a
    global (`window.onload`) or to an object the file does not create (an import, a
    parameter), and one assigned inside a callback (`describe(..., function () {...})`) are
    no definitions: the calls in them stay their enclosing function's (or the file's)."""
    repo = index_repo(
        {
            "src/xhr.js": """
                const utils = require('./utils');
                function dispatch(config) {
                  const request = {};
                  request.onabort = function handleAbort() { done(); };
                  return request;
                }
                function done() {}
                Array.prototype.last = function () { return this[this.length - 1]; };
                window.onload = function () { done(); };
                utils.extra = function () {};
                describe('x', function () {
                  function Stub() {}
                  Stub.prototype.run = function () {};
                });
                """,
            "src/schema.ts": """
                export function ZodString(inst: any) {
                  inst.min = (n: number) => inst.check(n);
                }
                """,
        }
    )
    assert repo.defs("src/xhr.js") == [
        ("Function", "dispatch", 2, 6),
        ("Function", "done", 7, 7),
        ("Function", "Stub", 12, 12),
    ]
    assert repo.defs("src/schema.ts") == [("Function", "ZodString", 1, 3)]
    assert repo.edge_set("CALLS") == {
        ("src/xhr.js|Function:dispatch", "src/xhr.js|Function:done", "scope"),
        ("src/xhr.js", "src/xhr.js|Function:done", "scope"),
    }


def test_methods_assigned_in_an_iife_or_a_umd_factory_are_definitions() -> None:
    """The body of a function called where it is written (`(function () { ... })()`,
    `(function () {}).call(this)`) and the module body a UMD wrapper is handed are the
    file's top level: their prototype methods are definitions as at the top level."""
    repo = index_repo(
        {
            "lib/list.js": """
                (function () {
                  function Queue() {}
                  Queue.prototype.push = function (n) { this.grow(); };
                  Queue.prototype.grow = function () {};
                })();
                (function () {
                  function Stack() {}
                  Stack.prototype.pop = function () {};
                }).call(this);
                """,
            "dist/async.js": """
                (function (global, factory) {
                  typeof exports === 'object' ? factory(exports) : factory(global.async = {});
                }(this, (function (exports) { 'use strict';
                  function DLL() {}
                  DLL.prototype.shift = function () { this.removeLink(); };
                  DLL.prototype.removeLink = function () {};
                })));
                """,
        }
    )
    assert repo.defs("lib/list.js") == [
        ("Class", "Queue", 2, 2),
        ("Method", "Queue.push", 3, 3),
        ("Method", "Queue.grow", 4, 4),
        ("Class", "Stack", 7, 7),
        ("Method", "Stack.pop", 8, 8),
    ]
    assert repo.defs("dist/async.js") == [
        ("Class", "DLL", 4, 4),
        ("Method", "DLL.shift", 5, 5),
        ("Method", "DLL.removeLink", 6, 6),
    ]
    assert repo.edge_set("CALLS") == {
        ("lib/list.js|Method:Queue.push", "lib/list.js|Method:Queue.grow", "scope"),
        ("dist/async.js|Method:DLL.shift", "dist/async.js|Method:DLL.removeLink", "scope"),
    }


def test_a_static_call_on_a_required_module_reaches_its_class_of_that_name() -> None:
    """`const Template = require('./Template'); Template.asString()` reaches the static
    method of the class the module exports as itself (`module.exports = Template`), as
    `new Template()` reaches the class; a function the module defines under the called name
    (`exports.indent`) still comes first. A binding of another name (`T.asString()`) is the
    same module: it reaches the same method."""
    repo = index_repo(
        {
            "lib/Template.js": """
                class Template {
                  static asString(lines) { return lines.join('\\n'); }
                  static indent(s) { return s; }
                }
                exports.indent = function indent(s) { return s; };
                module.exports = Template;
                """,
            "lib/Chunk.js": """
                const Template = require('./Template');
                const T = require('./Template');
                function render() { Template.asString([]); Template.indent(''); T.asString([]); }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("lib/Chunk.js|Function:render", "lib/Template.js|Method:Template.asString", "import"),
        ("lib/Chunk.js|Function:render", "lib/Template.js|Function:indent", "import"),
    }
    [as_string] = [e for e in repo.edges if e.dst_key.endswith("Template.asString")]
    assert as_string.props["count"] == 2


REQUIRED_UNDER_ANOTHER_NAME = {
    # webpack's lib/css/syntax.js: `class SourceProcessor extends GenericSourceProcessor`.
    "lib/util/SourceProcessor.js": """
        class SourceProcessor {
          use(map) { return this; }
          static create() { return new SourceProcessor(); }
        }
        class PrintContext { use(map) {} }
        module.exports = SourceProcessor;
        """,
    "lib/css/syntax.js": """
        const GenericSourceProcessor = require("../util/SourceProcessor");
        class SourceProcessor extends GenericSourceProcessor {}
        function parse() {
          new GenericSourceProcessor().use({});
          GenericSourceProcessor.create();
        }
        module.exports = { SourceProcessor };
        """,
}


def test_a_module_required_under_another_name_is_the_class_it_exports_as_itself() -> None:
    """`const GenericSourceProcessor = require(...)` binds what the module exports as itself
    (`module.exports = SourceProcessor`), whatever the binding is named: a base, a class to
    create and a class to call static methods of."""
    repo = index_repo(REQUIRED_UNDER_ANOTHER_NAME)
    assert repo.edge_set("INHERITS") == {
        ("lib/css/syntax.js|Class:SourceProcessor",
         "lib/util/SourceProcessor.js|Class:SourceProcessor", "import"),
    }  # fmt: skip
    parse = "lib/css/syntax.js|Function:parse"
    assert {(dst, how) for src, dst, how in repo.edge_set("CALLS") if src == parse} == {
        ("lib/util/SourceProcessor.js|Class:SourceProcessor", "import"),
        ("lib/util/SourceProcessor.js|Method:SourceProcessor.use", "type"),
        ("lib/util/SourceProcessor.js|Method:SourceProcessor.create", "import"),
    }


DEFAULT_EXPORTS = {
    "src/format.js": "export default function formatDate(d) { return d; }\n",
    "src/base.ts": "export default class Model {\n  save() {}\n}\n",
    "src/shape.ts": "export default abstract class Shape {\n  static of() {}\n}\n",
    "src/named.js": "function slugify(s) { return s; }\nexport default slugify;\n",
    "src/anonymous.js": "export default () => 1;\nexport function Anon() {}\n",
    "src/clause.js": "const clamp = (x) => x;\nexport { clamp as default };\n",
    "src/Button.tsx": "export default function Btn() { return null; }\n",
    "src/components/index.ts": "export { default as Button } from '../Button';\n",
    "src/app.ts": """
        import fmt from './format';
        import Base from './base';
        import slug from './named';
        import Anon from './anonymous';
        import limit from './clause';
        import { Button } from './components';
        import Form from './shape';

        export class User extends Base {
          show() { fmt(1); slug('a'); Anon(); Button(); Base.save(); limit(2); Form.of(); }
        }
        """,
}


def test_a_default_import_reaches_the_definition_the_module_exports_as_default() -> None:
    """`import fmt from './format'` reaches `formatDate`, whatever the importer calls it,
    also through a barrel's `export { default as Button }`, from `export { clamp as
    default }` and from an abstract class (TypeScript). A module whose default export
    has no name (`export default () => 1`) is read by the local-name convention."""
    repo = index_repo(DEFAULT_EXPORTS)
    assert repo.extractions["src/format.js"].default_export == "formatDate"
    assert repo.extractions["src/base.ts"].default_export == "Model"
    assert repo.extractions["src/shape.ts"].default_export == "Shape"
    assert repo.extractions["src/named.js"].default_export == "slugify"
    assert repo.extractions["src/anonymous.js"].default_export is None
    assert repo.extractions["src/clause.js"].default_export == "clamp"
    assert repo.edge_set("INHERITS") == {
        ("src/app.ts|Class:User", "src/base.ts|Class:Model", "import"),
    }
    assert repo.edge_set("CALLS") == {
        ("src/app.ts|Method:User.show", "src/format.js|Function:formatDate", "import"),
        ("src/app.ts|Method:User.show", "src/named.js|Function:slugify", "import"),
        ("src/app.ts|Method:User.show", "src/anonymous.js|Function:Anon", "import"),
        ("src/app.ts|Method:User.show", "src/Button.tsx|Function:Btn", "import"),
        ("src/app.ts|Method:User.show", "src/base.ts|Method:Model.save", "import"),
        ("src/app.ts|Method:User.show", "src/clause.js|Function:clamp", "import"),
        ("src/app.ts|Method:User.show", "src/shape.ts|Method:Shape.of", "import"),
    }
    for extraction in repo.extractions.values():
        assert type(extraction).from_json(extraction.to_json()) == extraction


PASSED_ON_DEFAULTS = {
    # A component folder's index, as React projects write it, with a helper of its own.
    "src/Card/Card.jsx": "export default function Card() { return null; }\n",
    "src/Card/index.js": "export { default } from './Card';\nexport function Tile() {}\n",
    "src/fmt.js": "export function pad(s) { return s; }\n",
    "src/text.js": "export { pad as default } from './fmt';\nexport function Foo() {}\n",
    "src/shapes.js": "export function Shape() {}\n",
    "src/star.js": "export * from './shapes';\nexport default () => 1;\n",
    "src/app.js": """
        import Card from './Card';
        import Tile from './Card';
        import Foo from './text';
        import Shape from './star';

        export function main() { Card(); Tile(); Foo(); Shape(); }
        """,
}


def test_a_default_passed_on_from_another_module_is_followed_there() -> None:
    """`export { default } from './Card'` and `export { pad as default } from './fmt'` make
    another module's definition the default: an import of it reaches that one, whatever the
    importer calls it, never the barrel's own definition of the importer's name. `export *`
    passes no default on, so an anonymous default is not looked for behind it."""
    repo = index_repo(PASSED_ON_DEFAULTS)
    assert repo.edge_set("CALLS") == {  # Card() and Tile() both
        ("src/app.js|Function:main", "src/Card/Card.jsx|Function:Card", "import"),
        ("src/app.js|Function:main", "src/fmt.js|Function:pad", "import"),
    }


def test_arrow_function_class_fields_are_methods() -> None:
    """`static createElement = (t) => ...` and `handleClick = () => { ... }` are methods of
    their class: reached as `API.createElement()`, and the callers of what they call. A
    function declared inside one is nested in it, not a method of the class."""
    for ext in ("js", "ts"):
        repo = index_repo(
            {
                f"src/api.{ext}": """
                    export class API {
                      static createElement = (t) => ({ t });
                      handleClick = () => {
                        const inner = () => 1;
                        this.reset();
                      };
                      count = 1;
                      reset() {}
                    }
                    """,
                f"src/test.{ext}": """
                    import { API } from './api';
                    export function setup() { return API.createElement('rect'); }
                    """,
            }
        )
        assert repo.defs(f"src/api.{ext}") == [
            ("Class", "API", 1, 9),
            ("Method", "API.createElement", 2, 2),
            ("Method", "API.handleClick", 3, 6),
            ("Function", "API.handleClick.inner", 4, 4),
            ("Method", "API.reset", 8, 8),
        ]
        assert repo.edge_set("CALLS") == {
            (f"src/api.{ext}|Method:API.handleClick", f"src/api.{ext}|Method:API.reset", "scope"),
            (f"src/test.{ext}|Function:setup", f"src/api.{ext}|Method:API.createElement",
             "import"),
        }  # fmt: skip


ALIASED = {
    "tsconfig.base.json": """
        {
          // Shared by every package; paths are relative to this file's baseUrl.
          "compilerOptions": {
            "baseUrl": ".",
            "paths": {
              "@acme/common": ["./packages/common/src/index.ts"],
              "@acme/common/*": ["./packages/common/src/*"],
            },
          },
        }
        """,
    "tsconfig.json": '{ "extends": "./tsconfig.base.json" }\n',
    "apps/web/tsconfig.json": """
        {
          "extends": "../../tsconfig.base.json",
          "compilerOptions": {
            "baseUrl": ".",
            "paths": {
              "@/*": ["./src/*"],
              "@acme/common/*": ["../../packages/common/src/*"]
            }
          }
        }
        """,
    "packages/common/src/index.ts": "export { clamp } from './math';\n",
    "packages/common/src/math.ts": "export function clamp(x: number) { return x; }\n",
    "packages/common/src/color.ts": "export function shade() {}\n",
    "apps/web/src/components/Button.tsx": "export function Button() { return null; }\n",
    "apps/web/src/main.ts": """
        import { Button } from '@/components/Button';
        import { shade } from '@acme/common/color';
        import { clamp } from '@acme/common';
        import React from 'react';
        export function run() { Button(); shade(); React.createElement(); }
        """,
    "tools/cli.ts": """
        import { clamp } from '@acme/common';
        import { Button } from '@/components/Button';
        export function main() { clamp(1); Button(); }
        """,
}


def test_tsconfig_path_aliases_resolve_to_the_repository_files() -> None:
    """`paths` of the tsconfig nearest to the importer, its own or through `extends` (where
    `paths` is replaced whole, relative to baseUrl or to the config that set them): an exact
    alias, a wildcard one, and nothing for a package (`react`), an alias another package's
    config defines (tools/ has no `@/`) or one its own `paths` replaced (apps/web's
    `@acme/common`, which only the workspace's node_modules link would find)."""
    repo = index_repo(ALIASED)
    assert repo.edge_set("IMPORTS") == {
        ("apps/web/src/main.ts", "apps/web/src/components/Button.tsx", ""),
        ("apps/web/src/main.ts", "packages/common/src/color.ts", ""),
        ("apps/web/src/main.ts", "module:@acme/common", ""),
        ("apps/web/src/main.ts", "module:react", ""),
        ("packages/common/src/index.ts", "packages/common/src/math.ts", ""),
        ("tools/cli.ts", "packages/common/src/index.ts", ""),
        ("tools/cli.ts", "module:@/components/Button", ""),
    }
    assert repo.edge_set("CALLS") == {
        ("apps/web/src/main.ts|Function:run", "apps/web/src/components/Button.tsx|Function:Button",
         "import"),
        ("apps/web/src/main.ts|Function:run", "packages/common/src/color.ts|Function:shade",
         "import"),
        ("tools/cli.ts|Function:main", "packages/common/src/math.ts|Function:clamp", "import"),
    }  # fmt: skip


WORKSPACE = {
    "package.json": '{"name": "acme", "private": true, "workspaces": ["packages/*", "apps/*"]}',
    "packages/ui/package.json": """
        {
          "name": "@acme/ui",
          "exports": {
            ".": {"types": "./dist/index.d.ts", "import": "./dist/index.js"},
            "./theme/*": "./src/theme/*.ts"
          },
          "imports": {"#colors": "./src/theme/dark.ts"}
        }
        """,
    "packages/ui/src/index.ts": "export * from './button';\n",
    "packages/ui/src/button.ts": """
        import { palette } from '#colors';
        export function Button() { return palette(); }
        """,
    "packages/ui/src/theme/dark.ts": "export function palette() {}\n",
    # A fixture no workspace glob takes: `left-pad` is the one from the registry.
    "packages/ui/test/fixture/package.json": '{"name": "left-pad", "main": "index.js"}',
    "packages/ui/test/fixture/index.js": "exports.pad = function () {};\n",
    "apps/web/package.json": '{"name": "web", "main": "main.ts"}',
    "apps/web/main.ts": """
        import * as ui from '@acme/ui';
        import { palette } from '@acme/ui/theme/dark';
        import { pad } from 'left-pad';
        import { run } from 'acme/tools/run';
        export function start() { ui.Button(); palette(); pad(); run(); }
        """,
    "tools/run.ts": "import { palette } from '#colors';\nexport function run() {}\n",
}


def test_workspace_packages_are_imported_by_their_names() -> None:
    """In a monorepo a package imports another by its name, as npm, yarn and pnpm link the
    workspace's packages: through `exports` (a built entry, `./dist/index.js`, reaching the
    source it was built from, `src/index.ts`; a subpath pattern), and the root package by
    its own name, with no `exports`, reaching the file a subpath spells; a package's own
    `#` names through its `imports`, for its own files only. A package.json no workspace
    declares (a test fixture named `left-pad`) is not what `left-pad` imports."""
    repo = index_repo(WORKSPACE)
    assert repo.edge_set("IMPORTS") == {
        ("apps/web/main.ts", "packages/ui/src/index.ts", ""),
        ("apps/web/main.ts", "packages/ui/src/theme/dark.ts", ""),
        ("apps/web/main.ts", "module:left-pad", ""),
        ("apps/web/main.ts", "tools/run.ts", ""),
        ("packages/ui/src/index.ts", "packages/ui/src/button.ts", ""),
        ("packages/ui/src/button.ts", "packages/ui/src/theme/dark.ts", ""),
        ("tools/run.ts", "module:#colors", ""),
    }
    assert repo.edge_set("CALLS") == {
        ("apps/web/main.ts|Function:start", "packages/ui/src/button.ts|Function:Button",
         "import"),
        ("apps/web/main.ts|Function:start", "packages/ui/src/theme/dark.ts|Function:palette",
         "import"),
        ("apps/web/main.ts|Function:start", "tools/run.ts|Function:run", "import"),
        ("packages/ui/src/button.ts|Function:Button",
         "packages/ui/src/theme/dark.ts|Function:palette", "import"),
    }  # fmt: skip


REACT = {
    "src/ui/index.js": "export function Card() { return null; }\n",
    "src/Button.tsx": """
        import React, { memo, forwardRef } from 'react';
        export const Island = React.forwardRef<HTMLDivElement, Props>((props, ref) => (
          <div ref={ref}><Icon /></div>
        ));
        export const Field = memo(forwardRef(function Field(props, ref) { return <Icon />; }));
        const Base = (props: Props) => <Icon />;
        export const Panel = React.memo(Base, areEqual);
        export function Icon() { return <svg />; }
        export class Legacy extends React.Component { render() { return <Icon />; } }
        const doubled = items.map((x) => x * 2);
        """,
    "src/App.jsx": """
        import { Island, Field, Panel, Legacy } from './Button';
        import * as UI from './ui';
        export function App() {
          return (
            <div>
              <Island /><Field></Field><Panel /><Legacy />
              <UI.Card title="x">hi</UI.Card>
              <motion.div />
            </div>
          );
        }
        """,
    "src/cast.ts": "export function cast(y: unknown) { return <Card>y; }\n",
}


def test_jsx_components_rendered_are_calls_and_wrapped_components_are_functions() -> None:
    """React calls a component it renders (`<Island />`, `<UI.Card>`, a class's too), in .jsx
    and .tsx alike; an HTML element (`<div>`) is none, nor a type assertion in plain
    TypeScript (`<Card>y`). A component wrapped as it is defined (`memo`, `forwardRef`, one
    in the other, `React.` or not) is a function spanning its definition; wrapping one
    defined before (`React.memo(Base)`) renders it. A function passed to anything else
    (`items.map(...)`) defines nothing."""
    repo = index_repo(REACT)
    assert repo.defs("src/Button.tsx") == [
        ("Function", "Island", 2, 4),
        ("Function", "Field", 5, 5),
        ("Function", "Base", 6, 6),
        ("Function", "Panel", 7, 7),
        ("Function", "Icon", 8, 8),
        ("Class", "Legacy", 9, 9),
        ("Method", "Legacy.render", 9, 9),
    ]
    assert repo.calls("src/cast.ts") == []
    button, app = "src/Button.tsx|", "src/App.jsx|Function:App"
    assert repo.edge_set("CALLS") == {
        (f"{button}Function:Island", f"{button}Function:Icon", "scope"),
        (f"{button}Function:Field", f"{button}Function:Icon", "scope"),
        (f"{button}Function:Base", f"{button}Function:Icon", "scope"),
        (f"{button}Function:Panel", f"{button}Function:Base", "scope"),
        (f"{button}Method:Legacy.render", f"{button}Function:Icon", "scope"),
        (app, f"{button}Function:Island", "import"),
        (app, f"{button}Function:Field", "import"),
        (app, f"{button}Function:Panel", "import"),
        (app, f"{button}Class:Legacy", "import"),
        (app, "src/ui/index.js|Function:Card", "import"),
    }


def test_a_name_exported_under_another_reaches_its_definition() -> None:
    """`export { renderApp as render }` (no `from`): `import { render }` reaches
    renderApp, also when renderApp is itself imported; `export { clamp }` changes nothing,
    a cycle of such renames ends without an edge, and the module's own calls of the
    exported name still reach what it imports under that name."""
    repo = index_repo(
        {
            "src/render.js": "export function renderApp() {}\n",
            "src/test-utils.js": """
                import { renderApp as draw } from './render';
                function setup() {}
                function clamp() {}
                export { setup as prepare, draw as render, clamp };
                """,
            "src/cycle.js": "export { a as b, b as a };\n",
            "src/compiler.js": "export function compile() {}\n",
            "src/index.js": """
                import { compile } from './compiler';
                function compileToFunction() { compile(); }
                export { compileToFunction as compile };
                """,
            "src/app.test.js": """
                import { render, prepare, clamp } from './test-utils';
                import { b } from './cycle';
                import { compile } from './index';
                export function check() { prepare(); render(); clamp(); b(); compile(); }
                """,
        }
    )
    assert repo.extractions["src/test-utils.js"].imports[1:] == (
        Import("", "setup", "prepare", 4),
        Import("", "draw", "render", 4),
    )
    assert repo.edge_set("CALLS") == {
        ("src/app.test.js|Function:check", "src/test-utils.js|Function:setup", "import"),
        ("src/app.test.js|Function:check", "src/render.js|Function:renderApp", "import"),
        ("src/app.test.js|Function:check", "src/test-utils.js|Function:clamp", "import"),
        ("src/app.test.js|Function:check", "src/index.js|Function:compileToFunction", "import"),
        # The module itself still reads `compile` as the import it is.
        ("src/index.js|Function:compileToFunction", "src/compiler.js|Function:compile", "import"),
    }


def test_a_private_typescript_method_is_no_guess_for_other_files() -> None:
    """`private flushQueue()` is called only by its own class: `q.flushQueue()` in another
    file is some other object's."""
    repo = index_repo(
        {
            "src/scheduler.ts": """
                export class Scheduler {
                  private flushQueue() {}
                  run() { this.flushQueue() }
                }
                """,
            "src/app.ts": "export function go(q: any) { q.flushQueue() }\n",
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/scheduler.ts|Method:Scheduler.run", "src/scheduler.ts|Method:Scheduler.flushQueue",
         "scope"),
    }  # fmt: skip


def test_a_call_on_a_declared_receiver_is_looked_up_in_its_type() -> None:
    """TypeScript parameters, fields, constructor parameter properties (`private api: Api`)
    and annotated variables say their type, as `new Buffer()` does in JavaScript too; a type
    the repository does not define (`Map`) is never guessed into its namesake."""
    repo = index_repo(
        {
            "src/buffer.ts": """
                export class Buffer { write(b: number) {} set(k: string) {} }
                export class Sink { write(b: number) {} }
                export class Api { fetchAll() {} }
                """,
            "src/use.ts": """
                import { Buffer, Sink, Api } from './buffer'
                class A {
                  private buf: Buffer
                  constructor(private readonly api: Api) {}
                  m(s: Sink, m: Map<string, number>) {
                    s.write(1); this.api.fetchAll(); this.buf.write(2); m.set('k', 1)
                  }
                }
                """,
            "src/plain.js": """
                import { Buffer } from './buffer'
                const b = new Buffer()
                b.write(1)
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/use.ts|Method:A.m", "src/buffer.ts|Method:Sink.write", "type"),
        ("src/use.ts|Method:A.m", "src/buffer.ts|Method:Api.fetchAll", "type"),
        ("src/use.ts|Method:A.m", "src/buffer.ts|Method:Buffer.write", "type"),
        ("src/plain.js", "src/buffer.ts|Class:Buffer", "import"),
        ("src/plain.js", "src/buffer.ts|Method:Buffer.write", "type"),
    }


def test_a_field_set_from_a_typed_parameter_takes_its_type() -> None:
    """`this.api = client` in `constructor(client: Client)` types `this.api`."""
    repo = index_repo(
        {
            "src/client.ts": """
                export class Client { fetch() {} }
                export class Other { fetch() {} }
                """,
            "src/svc.ts": """
                import { Client } from './client'
                class Svc {
                  api
                  constructor(client: Client) { this.api = client }
                  run() { this.api.fetch() }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/svc.ts|Method:Svc.run", "src/client.ts|Method:Client.fetch", "type"),
    }


CALL_RESULT_FILES = {
    "src/client.ts": """
        export class Client { get(path: string): string { return path; } }
        export class Pool { drain(): void {} }
        export function connect(): Client { return new Client(); }
        export async function open(): Promise<Pool> { return new Pool(); }
        export const make = (): Client => new Client();
        export function name(): string { return "x"; }
        """,
    "src/app.ts": """
        import { connect, open, make, Pool } from './client';
        import * as lib from './client';
        export async function run() {
          const c = connect();
          c.get('/');
          const p = await open();
          p.drain();
        }
        export function other() {
          const m = make();
          m.get('/m');
          const n = lib.connect();
          n.get('/n');
          const typed: Pool = connect();
          typed.drain();
        }
        """,
}


def test_a_typescript_name_set_from_a_call_has_the_type_its_callee_returns() -> None:
    """`const c = connect()` has the type connect declares (`(): Client`, an arrow's too;
    an async function's `Promise<Pool>` is a Pool once awaited), through a namespace import
    as well (`lib.connect()`); a type written out wins (`const typed: Pool`). A predefined
    result (`string`) is not recorded."""
    repo = index_repo(CALL_RESULT_FILES)
    definitions = repo.extractions["src/client.ts"].definitions
    assert [(d.qualified_name, d.returns) for d in definitions if d.returns] == [
        ("connect", "Client"), ("open", "Pool"), ("make", "Client"),
    ]  # fmt: skip
    run, other, client = "src/app.ts|Function:run", "src/app.ts|Function:other", "src/client.ts|"
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        (run, f"{client}Method:Client.get", "type"),
        (run, f"{client}Method:Pool.drain", "type"),
        (other, f"{client}Method:Client.get", "type"),
        (other, f"{client}Method:Pool.drain", "type"),
    }


FIELD_FILES = {
    "src/repo.ts": """
        export class Repo { save(): void {} }
        export class Other { save(): void {} }
        """,
    "src/base.ts": """
        import { Repo } from './repo';
        export class Base { protected repo: Repo; }
        """,
    "src/svc.ts": """
        import { Base } from './base';
        export class Svc extends Base {
          go() { this.repo.save(); }
        }
        """,
    "src/app.ts": """
        import { Svc } from './svc';
        export function run(svc: Svc) { svc.repo.save(); }
        """,
}


def test_a_call_through_an_inherited_field_reaches_the_fields_type() -> None:
    """`this.repo.save()` in a subclass, and `svc.repo.save()` on a typed parameter,
    reach the type a base class in another file declares its field with."""
    repo = index_repo(FIELD_FILES)
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        ("src/svc.ts|Method:Svc.go", "src/repo.ts|Method:Repo.save", "type"),
        ("src/app.ts|Function:run", "src/repo.ts|Method:Repo.save", "type"),
    }


def test_a_minified_chain_as_a_callee_gives_no_type() -> None:
    """A callee path longer than any hand-written one (a minified chain) is not kept as the
    type of the name set from it: the call on that name is a plain one."""
    chain = ".".join(["a"] * 150)
    repo = index_repo(
        {"src/min.ts": f"const x = {chain}();\nx.run();\nconst y = a.b();\ny.run();\n"}
    )
    calls = repo.extractions["src/min.ts"].calls
    assert [(c.receiver, c.receiver_type) for c in calls if c.name == "run"] == [
        ("x", None),
        ("y", "()a.b"),
    ]


ELEMENT_FILES = {
    "src/jobs.ts": """
        export class Task { run(): void {} }
        export class Job { run(): void {} }
        """,
    "src/queue.ts": """
        import { Job, Task } from './jobs';
        export class Queue {
          private pending: Task[] = [];
          constructor(private readonly jobs: ReadonlyArray<Job>) {}
          drain(tasks: Array<Task>, byName: Map<string, Job>): void {
            for (const task of tasks) { task.run(); }
            for (const waiting of this.pending) { waiting.run(); }
            this.jobs.forEach((job) => job.run());
            tasks.filter(function (kept) { return kept.run(); });
            byName.forEach((value) => value.run());
            tasks.reduce((total, each) => each.run(), 0);
          }
        }
        """,
}


def test_a_loop_or_callback_variable_has_the_element_type_of_what_it_iterates() -> None:
    """`for (const task of tasks)` over `Array<Task>` calls Task's run, not Job's namesake;
    so does a field `Task[]` and the element parameter of `forEach`, `filter` and the other
    array callbacks. A Map's forEach gives values and keys, and `reduce`'s first parameter
    is its total: no type."""
    repo = index_repo(ELEMENT_FILES)
    assert [(c.receiver, c.receiver_type) for c in repo.extractions["src/queue.ts"].calls
            if c.name == "run"] == [
        ("task", "Task"), ("waiting", "Task"), ("job", "Job"), ("kept", "Task"),
        ("value", None), ("each", None),
    ]  # fmt: skip
    drain = "src/queue.ts|Method:Queue.drain"
    assert {e for e in repo.edge_set("CALLS") if e[1].startswith("src/jobs.ts")} == {
        (drain, "src/jobs.ts|Method:Task.run", "type"),
        (drain, "src/jobs.ts|Method:Job.run", "type"),
    }


PARAMETER_PROPERTY_FILES = {
    "src/logger.ts": """
        export class Logger { info(m: string): void {} }
        export class Config { info(m: string): void {} }
        """,
    "src/base.ts": """
        import { Logger, Config } from './logger';
        export class Base {
          constructor(protected logger: Logger, config: Config) {}
          m() { this.logger.info('m'); this.config.info('no'); }
        }
        """,
    "src/svc.ts": """
        import { Base } from './base';
        export class Svc extends Base {
          go() { this.logger.info('go'); this.config.info('no'); }
        }
        """,
}


def test_a_parameter_property_is_a_field_of_the_class_for_other_files() -> None:
    """`constructor(protected logger: Logger)` declares a field `logger` that a subclass in
    another file calls through (`this.logger.info()`), as the class itself does; a plain
    parameter (`config: Config`) is no field, so `this.config.info()` gets no typed edge."""
    repo = index_repo(PARAMETER_PROPERTY_FILES)
    assert repo.extractions["src/base.ts"].fields == (("Base", "logger", "Logger"),)
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        ("src/base.ts|Method:Base.m", "src/logger.ts|Method:Logger.info", "type"),
        ("src/svc.ts|Method:Svc.go", "src/logger.ts|Method:Logger.info", "type"),
    }


COMPOUND_FILES = {
    "src/card.tsx": """
        import CardHeader from './CardHeader';
        function CardBase() { return null; }
        function CardBody() { return null; }
        export const Card = Object.assign(CardBase, { Header: CardHeader, Body: CardBody });
        export const Panel = Object.assign(forwardRef(() => null), { Body: CardBody });
        export function Demo() { return <Card.Body />; }
        """,
    "src/CardHeader.tsx": """
        function Badge() { return null; }
        export default function CardHeader() { return null; }
        CardHeader.Badge = Badge;
        """,
    "src/menu.tsx": """
        import * as Items from './items';
        const Menu = () => null;
        Menu.Item = Items.MenuItem;
        Menu.Group = { Title: Items.MenuTitle };
        Menu.Defaults = Items;
        export default Menu;
        """,
    "src/items.tsx": """
        export function MenuItem() { return null; }
        export function MenuTitle() { return null; }
        export function Footer() { return null; }
        """,
    "src/index.ts": """
        export { Card, Panel } from './card';
        export { default as Menu } from './menu';
        """,
    "src/app.tsx": """
        import { Card, Menu, Panel } from './index';
        export function App() {
          Menu.Item();
          return <>
            <Card /><Card.Header /><Card.Header.Badge />
            <Menu.Group.Title /><Menu.Defaults.Footer /><Card.Footer />
            <Panel /><Panel.Body />
          </>;
        }
        """,
}


def test_a_compound_components_parts_reach_what_they_are_set_from() -> None:
    """`Card.Header = CardHeader`, `Menu.Group = { Title }` and `Object.assign(CardBase, {
    Header: CardHeader })` at the top of a module make `<Card.Header />` and `Menu.Item()`
    reach those definitions, in the module itself and through imports and barrels, as
    `<Card />` reaches CardBase (and `Object.assign(forwardRef(...), {...})` is a function,
    as `forwardRef(...)` is); a part nobody set (`Card.Footer`) gets no edge, not even
    to the one `Footer` of the repository."""
    repo = index_repo(COMPOUND_FILES)
    app = "src/app.tsx|Function:App"
    assert repo.edge_set("CALLS") == {
        ("src/card.tsx|Function:Demo", "src/card.tsx|Function:CardBody", "scope"),
        (app, "src/card.tsx|Function:CardBase", "import"),
        (app, "src/card.tsx|Function:Panel", "import"),
        (app, "src/card.tsx|Function:CardBody", "import"),
        (app, "src/CardHeader.tsx|Function:CardHeader", "import"),
        (app, "src/CardHeader.tsx|Function:Badge", "import"),
        (app, "src/items.tsx|Function:MenuItem", "import"),
        (app, "src/items.tsx|Function:MenuTitle", "import"),
        (app, "src/items.tsx|Function:Footer", "import"),
    }


CROSS_FILE_ELEMENT_FILES = {
    "src/jobs.ts": """
        export class Task { run(): void {} }
        export class Job { run(): void {} }
        export class Board {
          tasks: Task[] = [];
          async jobs(): Promise<Job[]> { return []; }
          pending(): Array<Task> { return this.tasks; }
        }
        """,
    "src/app.ts": """
        import { Board } from './jobs';
        export function fields(board: Board): void {
          for (const task of board.tasks) { task.run(); }
        }
        export async function results(board: Board): Promise<void> {
          for (const job of await board.jobs()) { job.run(); }
          board.pending().forEach((waiting) => waiting.run());
        }
        """,
}


def test_a_loop_over_another_files_field_or_result_has_its_element_type() -> None:
    """`for (const task of board.tasks)` with the field declared `Task[]` in another file
    reaches Task's run, not Job's namesake; so does a loop over an awaited `Promise<Job[]>`
    and an array callback on an `Array<Task>` result."""
    repo = index_repo(CROSS_FILE_ELEMENT_FILES)
    assert [c.receiver_type for c in repo.extractions["src/app.ts"].calls if c.name == "run"] == [
        "in (Board#tasks)", "in (()board.jobs@Board)", "in (()board.pending@Board)",
    ]  # fmt: skip
    assert {e for e in repo.edge_set("CALLS") if e[1].endswith(".run")} == {
        ("src/app.ts|Function:fields", "src/jobs.ts|Method:Task.run", "type"),
        ("src/app.ts|Function:results", "src/jobs.ts|Method:Job.run", "type"),
        ("src/app.ts|Function:results", "src/jobs.ts|Method:Task.run", "type"),
    }


def test_a_name_bound_again_to_an_unknown_class_falls_back_to_its_first_type() -> None:
    """`const dep = new ParamDependency()` with ParamDependency a parameter (no class of the
    branch), after `const dep = new ConstDependency()` in a block before: `dep.setLoc()`
    falls back to ConstDependency's (inherited) method; a name bound again to a class of
    the branch has that class's."""
    repo = index_repo(
        {
            "src/deps.js": """
                export class Dependency { setLoc() {} }
                export class ConstDependency extends Dependency {}
                export class Other { setLoc() {} }
                """,
            "src/plugin.js": """
                import { ConstDependency, Other } from './deps';
                export function viaParam(ParamDependency, known) {
                  if (known) { const dep = new ConstDependency(); }
                  const dep = new ParamDependency();
                  dep.setLoc();
                }
                export function viaOther(known) {
                  if (known) { const dep = new ConstDependency(); }
                  const dep = new Other();
                  dep.setLoc();
                }
                """,
        }
    )
    assert {(s, t) for s, t, how in repo.edge_set("CALLS") if t.endswith("setLoc")} == {
        ("src/plugin.js|Function:viaParam", "src/deps.js|Method:Dependency.setLoc"),
        ("src/plugin.js|Function:viaOther", "src/deps.js|Method:Other.setLoc"),
    }
    typed = [c.receiver_type for c in repo.extractions["src/plugin.js"].calls
             if c.name == "setLoc"]  # fmt: skip
    assert typed == ["ParamDependency||ConstDependency", "Other||ConstDependency"]


JSDOC_FILES = {
    "lib/Chunk.js": """
        class Chunk { render() {} }
        module.exports = Chunk;
        """,
    "lib/Module.js": """
        class Module { source() {} size() {} }
        module.exports = Module;
        """,
    "lib/Other.js": """
        class Other { render() {} source() {} size() {} }
        class Clock { tick() {} }
        module.exports = { Other, Clock };
        """,
    "lib/Compilation.js": """
        /** @import Chunk from "./Chunk" */
        /**
         * @typedef {import("./Module")} Module
         * @typedef {{ name: string }} Options
         */

        class Compilation {
            constructor() {
                /** @type {Chunk | undefined} */
                this.current = undefined;
            }

            /**
             * @param {Module[]} modules the modules
             * @param {Chunk=} chunk
             * @param {Options} options a typedef of a shape: no class
             * @param {Buffer} data a global class: not the repository's
             */
            seal(modules, chunk, options, data) {
                for (const m of modules) m.size();
                modules.forEach((m) => m.source());
                chunk.render();
                this.first().render();
                options.tick();
                data.tick();
            }

            /** @returns {Chunk} the first */
            first() {}
        }
        module.exports = Compilation;
        """,
    "lib/Child.js": """
        const Compilation = require("./Compilation");
        class Child extends Compilation {
            run() { this.current.render(); }
        }
        """,
}


def test_jsdoc_types_type_parameters_fields_results_and_loops() -> None:
    """webpack's JSDoc: `@param {Module[]} modules` (a type imported by `@typedef
    {import("./Module")}`), `@param {Chunk=} chunk` (by `@import Chunk from`, a CommonJS
    module's `module.exports`), `@returns {Chunk}` and a constructor's `@type {Chunk}` field,
    which a subclass calls through. Every method name here is defined twice, so only the
    types reach them. A typedef of a shape names no class (`options.tick()` stays a
    unique-name guess); a global class names one outside the repository (`data.tick()` has
    no edge)."""
    repo = index_repo(JSDOC_FILES)
    seal = "lib/Compilation.js|Method:Compilation.seal"
    assert {e for e in repo.edge_set("CALLS") if e[0] == seal} == {
        (seal, "lib/Module.js|Method:Module.size", "type"),
        (seal, "lib/Module.js|Method:Module.source", "type"),
        (seal, "lib/Chunk.js|Method:Chunk.render", "type"),
        (seal, "lib/Compilation.js|Method:Compilation.first", "scope"),
        (seal, "lib/Other.js|Method:Clock.tick", "unique_name"),
    }
    assert ("lib/Child.js|Method:Child.run", "lib/Chunk.js|Method:Chunk.render", "type") in (
        repo.edge_set("CALLS")
    )
    assert ("lib/Compilation.js", "lib/Chunk.js", "") in {
        (s, t, "") for s, t, _ in repo.edge_set("IMPORTS")
    }


def test_an_instanceof_test_types_the_name_where_it_holds() -> None:
    """`if (op instanceof Update) {...}`, `else if`, a ternary and an `&&`, in JavaScript and
    TypeScript alike: inside, op is the tested class; after, what it was before."""
    source = """
        import { Update, Install } from "./ops";

        export function run(op, other) {
            if (op instanceof Update) {
                op.target();
            } else if (op instanceof Install) {
                op.target();
            }
            const t = other instanceof Update ? other.target() : null;
            if (other instanceof Install && other.target()) { other.target(); }
            op.target();
        }
        """
    files = {
        "src/ops.js": "export class Update { target() {} }\nexport class Install { target() {} }\n",
        "src/run.js": source,
        "src/run.ts": source,
    }
    repo = index_repo(files)
    for path in ("src/run.js", "src/run.ts"):
        calls = repo.extractions[path].calls
        assert [c.receiver_type for c in calls if c.name == "target"] == [
            "Update", "Install", "Update", "Install", "Install", None,
        ]  # fmt: skip
        assert {t for s, t, how in repo.edge_set("CALLS") if s.startswith(path)} == {
            "src/ops.js|Method:Update.target",
            "src/ops.js|Method:Install.target",
        }


def test_a_typescript_assertion_types_a_name_or_a_receiver() -> None:
    """`const y = x as Update` and `(x as Install).target()` take the asserted class. A
    call's result asserted (vite's `connect() as Connect.Server`) is not typed so: there the
    asserted type is often an alias resolution does not follow, where a guess did better."""
    repo = index_repo(
        {
            "src/ops.ts": """
                export class Update { target() {} }
                export class Install { target() {} }
                """,
            "src/run.ts": """
                import { Update, Install } from "./ops";

                function connect(): Update { return new Update(); }

                export function run(x: unknown) {
                    const y = x as Update;
                    y.target();
                    (x as Install).target();
                    const s = connect() as Install;
                    s.target();
                }
                """,
        }
    )
    assert [c.receiver_type for c in repo.extractions["src/run.ts"].calls if c.receiver] == [
        "Update", "Install", None,
    ]  # fmt: skip
    assert {t for s, t, how in repo.edge_set("CALLS") if how == "type"} == {
        "src/ops.ts|Method:Update.target",
        "src/ops.ts|Method:Install.target",
    }


def test_an_instanceof_of_this_constructor_names_no_class() -> None:
    """`x instanceof this.constructor` leaves x untyped: `x.only()` stays a unique-name
    guess, where a type `this.constructor` would have stopped it."""
    repo = index_repo(
        {
            "src/a.js": """
                export class A {
                    equals(x) { if (x instanceof this.constructor) { x.only(); } }
                    only() {}
                }
                """,
        }
    )
    assert [c.receiver_type for c in repo.extractions["src/a.js"].calls] == [None]
    assert ("src/a.js|Method:A.equals", "src/a.js|Method:A.only", "unique_name") in (
        repo.edge_set("CALLS")
    )
