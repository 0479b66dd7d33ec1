# GENERATED from the plan schema by tests/test_validation.py with fastjsonschema 2.22.3; do not edit.
# mypy: ignore-errors
# ruff: noqa
SCHEMA_SHA256 = "0f82ec174743efbc66ef0d2fd75fdb471e2b8614648fd232457ddfca1dec1292"
VERSION = "2.22.3"
from decimal import Decimal
import re
from voicesync.validators import JsonSchemaValueException


REGEX_PATTERNS = {
    '^[0-9a-f]{64}$': re.compile('^[0-9a-f]{64}\\Z')
}

NoneType = type(None)

def validate_urn_voicesync_schema_plan_v1(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'urn:voicesync:schema:plan:v1', 'title': 'voicesync plan (plan --format json, plan --out)', 'description': 'A plan: what apply would change, why, and whether apply would refuse it.', 'type': 'object', 'required': ['format_version', 'config', 'endpoint', 'has_changes', 'destructive', 'safe', 'summary', 'refusals', 'changes', 'unmanaged', 'managed_count', 'fingerprint'], 'properties': {'format_version': {'description': 'Format of this document.', 'enum': [1]}, 'config': {'description': 'The voices.yaml it was planned from.', 'type': 'string'}, 'endpoint': {'description': 'The API it was planned against ("emulator" for --emulator).', 'type': 'string'}, 'has_changes': {'description': 'true when apply has anything to do.', 'type': 'boolean'}, 'destructive': {'description': 'true when a voice would be deleted or replaced.', 'type': 'boolean'}, 'safe': {'description': 'false when apply would refuse the plan (see refusals).', 'type': 'boolean'}, 'summary': {'description': 'Number of changes per action.', 'type': 'object', 'additionalProperties': False, 'properties': {'clone': {'type': 'integer', 'minimum': 0}, 'update': {'type': 'integer', 'minimum': 0}, 'replace': {'type': 'integer', 'minimum': 0}, 'delete': {'type': 'integer', 'minimum': 0}, 'adopt': {'type': 'integer', 'minimum': 0}, 'wait': {'type': 'integer', 'minimum': 0}, 'conflict': {'type': 'integer', 'minimum': 0}}, 'required': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, 'refusals': {'description': 'Safety rules the plan breaks.', 'type': 'array', 'items': {'type': 'object', 'required': ['code', 'message', 'overridable', 'overridden'], 'properties': {'code': {'enum': ['protected', 'too_many', 'deletes_all', 'conflict', 'another_environment', 'ignored']}, 'message': {'type': 'string'}, 'overridable': {'type': 'boolean'}, 'overridden': {'type': 'boolean'}}}}, 'changes': {'description': 'The changes, sorted by voice name.', 'type': 'array', 'items': {'type': 'object', 'required': ['action', 'name', 'voice_id', 'reason', 'match', 'fields', 'before', 'after', 'protected', 'skippable'], 'properties': {'action': {'enum': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, 'name': {'type': 'string'}, 'voice_id': {'type': ['string', 'null']}, 'reason': {'enum': ['new', 'sample_changed', 'language_changed', 'remote_failed', 'forced', 'renamed', 'visibility_changed', 'drift_renamed', 'drift_visibility', 'drift_deleted', 'not_declared', 'prune_unmanaged', 'superseded', 'unrecorded', 'interrupted_clone', 'processing', 'destroy', 'name_taken']}, 'match': {'enum': ['state', 'name', 'previous_name', 'journal', 'none']}, 'fields': {'type': 'array', 'items': {'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}}, 'before': {'type': ['object', 'null']}, 'after': {'type': ['object', 'null'], 'description': "What the voice will be: name, visibility, language, sample path, and the sample's facts (sample_sha256, sample_format, sample_bytes, sample_duration_s) so a saved plan renders as it was made."}, 'protected': {'type': 'boolean'}, 'skippable': {'type': 'boolean'}, 'journal_started_at': {'description': 'A journalled clone whose outcome is unknown: when its upload went out (else when it was sent; seconds since the epoch). Apply looks for its voice over the grace window from then before it clones again (or, for a delete, forgets it).', 'type': ['number', 'null']}, 'note': {'description': 'For a conflict: what takes the name and how to settle it.', 'type': 'string'}, 'pending_id': {'description': 'A journalled clone this change finishes (wait, adopt or replace of an interrupted clone).', 'type': ['string', 'null']}}}}, 'unmanaged': {'description': 'Remote voices voicesync leaves alone.', 'type': 'array', 'items': {'type': 'object', 'required': ['voice_id', 'name', 'status', 'visibility'], 'properties': {'voice_id': {'type': 'string'}, 'name': {'type': ['string', 'null']}, 'status': {'type': 'string'}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE', None]}}}}, 'managed_count': {'description': 'Voices the state file manages that still exist.', 'type': 'integer', 'minimum': 0}, 'fingerprint': {'description': 'SHA-256 of the inputs the plan was made from.', 'type': 'string', 'pattern': '^[0-9a-f]{64}$'}, 'inputs': {'description': 'Saved plans only: a digest per voice, to say what made a plan stale.', 'type': 'object', 'additionalProperties': {'type': 'string'}}, 'options': {'description': 'Saved plans only: the options it was planned with.', 'type': 'object'}, 'environment': {'description': 'The environment planned for (--env), or null for a catalog without environments.', 'type': ['string', 'null']}, 'applied_at': {'description': 'Set by apply --plan once it applied this file: a plan file is applied once.', 'type': 'string'}}, '$defs': {'voice': {'type': 'object', 'required': ['voice_id', 'name', 'status', 'visibility'], 'properties': {'voice_id': {'type': 'string'}, 'name': {'type': ['string', 'null']}, 'status': {'type': 'string'}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE', None]}}}, 'change': {'type': 'object', 'required': ['action', 'name', 'voice_id', 'reason', 'match', 'fields', 'before', 'after', 'protected', 'skippable'], 'properties': {'action': {'enum': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, 'name': {'type': 'string'}, 'voice_id': {'type': ['string', 'null']}, 'reason': {'enum': ['new', 'sample_changed', 'language_changed', 'remote_failed', 'forced', 'renamed', 'visibility_changed', 'drift_renamed', 'drift_visibility', 'drift_deleted', 'not_declared', 'prune_unmanaged', 'superseded', 'unrecorded', 'interrupted_clone', 'processing', 'destroy', 'name_taken']}, 'match': {'enum': ['state', 'name', 'previous_name', 'journal', 'none']}, 'fields': {'type': 'array', 'items': {'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}}, 'before': {'type': ['object', 'null']}, 'after': {'type': ['object', 'null'], 'description': "What the voice will be: name, visibility, language, sample path, and the sample's facts (sample_sha256, sample_format, sample_bytes, sample_duration_s) so a saved plan renders as it was made."}, 'protected': {'type': 'boolean'}, 'skippable': {'type': 'boolean'}, 'journal_started_at': {'description': 'A journalled clone whose outcome is unknown: when its upload went out (else when it was sent; seconds since the epoch). Apply looks for its voice over the grace window from then before it clones again (or, for a delete, forgets it).', 'type': ['number', 'null']}, 'note': {'description': 'For a conflict: what takes the name and how to settle it.', 'type': 'string'}, 'pending_id': {'description': 'A journalled clone this change finishes (wait, adopt or replace of an interrupted clone).', 'type': ['string', 'null']}}}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['format_version', 'config', 'endpoint', 'has_changes', 'destructive', 'safe', 'summary', 'refusals', 'changes', 'unmanaged', 'managed_count', 'fingerprint']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'urn:voicesync:schema:plan:v1', 'title': 'voicesync plan (plan --format json, plan --out)', 'description': 'A plan: what apply would change, why, and whether apply would refuse it.', 'type': 'object', 'required': ['format_version', 'config', 'endpoint', 'has_changes', 'destructive', 'safe', 'summary', 'refusals', 'changes', 'unmanaged', 'managed_count', 'fingerprint'], 'properties': {'format_version': {'description': 'Format of this document.', 'enum': [1]}, 'config': {'description': 'The voices.yaml it was planned from.', 'type': 'string'}, 'endpoint': {'description': 'The API it was planned against ("emulator" for --emulator).', 'type': 'string'}, 'has_changes': {'description': 'true when apply has anything to do.', 'type': 'boolean'}, 'destructive': {'description': 'true when a voice would be deleted or replaced.', 'type': 'boolean'}, 'safe': {'description': 'false when apply would refuse the plan (see refusals).', 'type': 'boolean'}, 'summary': {'description': 'Number of changes per action.', 'type': 'object', 'additionalProperties': False, 'properties': {'clone': {'type': 'integer', 'minimum': 0}, 'update': {'type': 'integer', 'minimum': 0}, 'replace': {'type': 'integer', 'minimum': 0}, 'delete': {'type': 'integer', 'minimum': 0}, 'adopt': {'type': 'integer', 'minimum': 0}, 'wait': {'type': 'integer', 'minimum': 0}, 'conflict': {'type': 'integer', 'minimum': 0}}, 'required': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, 'refusals': {'description': 'Safety rules the plan breaks.', 'type': 'array', 'items': {'type': 'object', 'required': ['code', 'message', 'overridable', 'overridden'], 'properties': {'code': {'enum': ['protected', 'too_many', 'deletes_all', 'conflict', 'another_environment', 'ignored']}, 'message': {'type': 'string'}, 'overridable': {'type': 'boolean'}, 'overridden': {'type': 'boolean'}}}}, 'changes': {'description': 'The changes, sorted by voice name.', 'type': 'array', 'items': {'type': 'object', 'required': ['action', 'name', 'voice_id', 'reason', 'match', 'fields', 'before', 'after', 'protected', 'skippable'], 'properties': {'action': {'enum': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, 'name': {'type': 'string'}, 'voice_id': {'type': ['string', 'null']}, 'reason': {'enum': ['new', 'sample_changed', 'language_changed', 'remote_failed', 'forced', 'renamed', 'visibility_changed', 'drift_renamed', 'drift_visibility', 'drift_deleted', 'not_declared', 'prune_unmanaged', 'superseded', 'unrecorded', 'interrupted_clone', 'processing', 'destroy', 'name_taken']}, 'match': {'enum': ['state', 'name', 'previous_name', 'journal', 'none']}, 'fields': {'type': 'array', 'items': {'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}}, 'before': {'type': ['object', 'null']}, 'after': {'type': ['object', 'null'], 'description': "What the voice will be: name, visibility, language, sample path, and the sample's facts (sample_sha256, sample_format, sample_bytes, sample_duration_s) so a saved plan renders as it was made."}, 'protected': {'type': 'boolean'}, 'skippable': {'type': 'boolean'}, 'journal_started_at': {'description': 'A journalled clone whose outcome is unknown: when its upload went out (else when it was sent; seconds since the epoch). Apply looks for its voice over the grace window from then before it clones again (or, for a delete, forgets it).', 'type': ['number', 'null']}, 'note': {'description': 'For a conflict: what takes the name and how to settle it.', 'type': 'string'}, 'pending_id': {'description': 'A journalled clone this change finishes (wait, adopt or replace of an interrupted clone).', 'type': ['string', 'null']}}}}, 'unmanaged': {'description': 'Remote voices voicesync leaves alone.', 'type': 'array', 'items': {'type': 'object', 'required': ['voice_id', 'name', 'status', 'visibility'], 'properties': {'voice_id': {'type': 'string'}, 'name': {'type': ['string', 'null']}, 'status': {'type': 'string'}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE', None]}}}}, 'managed_count': {'description': 'Voices the state file manages that still exist.', 'type': 'integer', 'minimum': 0}, 'fingerprint': {'description': 'SHA-256 of the inputs the plan was made from.', 'type': 'string', 'pattern': '^[0-9a-f]{64}$'}, 'inputs': {'description': 'Saved plans only: a digest per voice, to say what made a plan stale.', 'type': 'object', 'additionalProperties': {'type': 'string'}}, 'options': {'description': 'Saved plans only: the options it was planned with.', 'type': 'object'}, 'environment': {'description': 'The environment planned for (--env), or null for a catalog without environments.', 'type': ['string', 'null']}, 'applied_at': {'description': 'Set by apply --plan once it applied this file: a plan file is applied once.', 'type': 'string'}}, '$defs': {'voice': {'type': 'object', 'required': ['voice_id', 'name', 'status', 'visibility'], 'properties': {'voice_id': {'type': 'string'}, 'name': {'type': ['string', 'null']}, 'status': {'type': 'string'}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE', None]}}}, 'change': {'type': 'object', 'required': ['action', 'name', 'voice_id', 'reason', 'match', 'fields', 'before', 'after', 'protected', 'skippable'], 'properties': {'action': {'enum': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, 'name': {'type': 'string'}, 'voice_id': {'type': ['string', 'null']}, 'reason': {'enum': ['new', 'sample_changed', 'language_changed', 'remote_failed', 'forced', 'renamed', 'visibility_changed', 'drift_renamed', 'drift_visibility', 'drift_deleted', 'not_declared', 'prune_unmanaged', 'superseded', 'unrecorded', 'interrupted_clone', 'processing', 'destroy', 'name_taken']}, 'match': {'enum': ['state', 'name', 'previous_name', 'journal', 'none']}, 'fields': {'type': 'array', 'items': {'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}}, 'before': {'type': ['object', 'null']}, 'after': {'type': ['object', 'null'], 'description': "What the voice will be: name, visibility, language, sample path, and the sample's facts (sample_sha256, sample_format, sample_bytes, sample_duration_s) so a saved plan renders as it was made."}, 'protected': {'type': 'boolean'}, 'skippable': {'type': 'boolean'}, 'journal_started_at': {'description': 'A journalled clone whose outcome is unknown: when its upload went out (else when it was sent; seconds since the epoch). Apply looks for its voice over the grace window from then before it clones again (or, for a delete, forgets it).', 'type': ['number', 'null']}, 'note': {'description': 'For a conflict: what takes the name and how to settle it.', 'type': 'string'}, 'pending_id': {'description': 'A journalled clone this change finishes (wait, adopt or replace of an interrupted clone).', 'type': ['string', 'null']}}}}}, rule='required')
        data_keys = set(data.keys())
        if "format_version" in data_keys:
            data_keys.remove("format_version")
            data__formatversion = data["format_version"]
            if not (isinstance(data__formatversion, (int, float)) and not isinstance(data__formatversion, bool) and data__formatversion == 1):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".format_version must be one of [1]", value=data__formatversion, name="" + (name_prefix or "data") + ".format_version", definition={'description': 'Format of this document.', 'enum': [1]}, rule='enum')
        if "config" in data_keys:
            data_keys.remove("config")
            data__config = data["config"]
            if not isinstance(data__config, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".config must be string", value=data__config, name="" + (name_prefix or "data") + ".config", definition={'description': 'The voices.yaml it was planned from.', 'type': 'string'}, rule='type')
        if "endpoint" in data_keys:
            data_keys.remove("endpoint")
            data__endpoint = data["endpoint"]
            if not isinstance(data__endpoint, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".endpoint must be string", value=data__endpoint, name="" + (name_prefix or "data") + ".endpoint", definition={'description': 'The API it was planned against ("emulator" for --emulator).', 'type': 'string'}, rule='type')
        if "has_changes" in data_keys:
            data_keys.remove("has_changes")
            data__haschanges = data["has_changes"]
            if not isinstance(data__haschanges, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".has_changes must be boolean", value=data__haschanges, name="" + (name_prefix or "data") + ".has_changes", definition={'description': 'true when apply has anything to do.', 'type': 'boolean'}, rule='type')
        if "destructive" in data_keys:
            data_keys.remove("destructive")
            data__destructive = data["destructive"]
            if not isinstance(data__destructive, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".destructive must be boolean", value=data__destructive, name="" + (name_prefix or "data") + ".destructive", definition={'description': 'true when a voice would be deleted or replaced.', 'type': 'boolean'}, rule='type')
        if "safe" in data_keys:
            data_keys.remove("safe")
            data__safe = data["safe"]
            if not isinstance(data__safe, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".safe must be boolean", value=data__safe, name="" + (name_prefix or "data") + ".safe", definition={'description': 'false when apply would refuse the plan (see refusals).', 'type': 'boolean'}, rule='type')
        if "summary" in data_keys:
            data_keys.remove("summary")
            data__summary = data["summary"]
            if not isinstance(data__summary, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary must be object", value=data__summary, name="" + (name_prefix or "data") + ".summary", definition={'description': 'Number of changes per action.', 'type': 'object', 'additionalProperties': False, 'properties': {'clone': {'type': 'integer', 'minimum': 0}, 'update': {'type': 'integer', 'minimum': 0}, 'replace': {'type': 'integer', 'minimum': 0}, 'delete': {'type': 'integer', 'minimum': 0}, 'adopt': {'type': 'integer', 'minimum': 0}, 'wait': {'type': 'integer', 'minimum': 0}, 'conflict': {'type': 'integer', 'minimum': 0}}, 'required': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, rule='type')
            data__summary_is_dict = isinstance(data__summary, dict)
            if data__summary_is_dict:
                data__summary__missing_keys = set(['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']) - data__summary.keys()
                if data__summary__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary must contain " + (str(sorted(data__summary__missing_keys)) + " properties"), value=data__summary, name="" + (name_prefix or "data") + ".summary", definition={'description': 'Number of changes per action.', 'type': 'object', 'additionalProperties': False, 'properties': {'clone': {'type': 'integer', 'minimum': 0}, 'update': {'type': 'integer', 'minimum': 0}, 'replace': {'type': 'integer', 'minimum': 0}, 'delete': {'type': 'integer', 'minimum': 0}, 'adopt': {'type': 'integer', 'minimum': 0}, 'wait': {'type': 'integer', 'minimum': 0}, 'conflict': {'type': 'integer', 'minimum': 0}}, 'required': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, rule='required')
                data__summary_keys = set(data__summary.keys())
                if "clone" in data__summary_keys:
                    data__summary_keys.remove("clone")
                    data__summary__clone = data__summary["clone"]
                    if not isinstance(data__summary__clone, (int)) and not (isinstance(data__summary__clone, float) and data__summary__clone.is_integer()) or isinstance(data__summary__clone, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.clone must be integer", value=data__summary__clone, name="" + (name_prefix or "data") + ".summary.clone", definition={'type': 'integer', 'minimum': 0}, rule='type')
                    if isinstance(data__summary__clone, (int, float, Decimal)) and not isinstance(data__summary__clone, bool):
                        if data__summary__clone < 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.clone must be bigger than or equal to 0", value=data__summary__clone, name="" + (name_prefix or "data") + ".summary.clone", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                if "update" in data__summary_keys:
                    data__summary_keys.remove("update")
                    data__summary__update = data__summary["update"]
                    if not isinstance(data__summary__update, (int)) and not (isinstance(data__summary__update, float) and data__summary__update.is_integer()) or isinstance(data__summary__update, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.update must be integer", value=data__summary__update, name="" + (name_prefix or "data") + ".summary.update", definition={'type': 'integer', 'minimum': 0}, rule='type')
                    if isinstance(data__summary__update, (int, float, Decimal)) and not isinstance(data__summary__update, bool):
                        if data__summary__update < 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.update must be bigger than or equal to 0", value=data__summary__update, name="" + (name_prefix or "data") + ".summary.update", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                if "replace" in data__summary_keys:
                    data__summary_keys.remove("replace")
                    data__summary__replace = data__summary["replace"]
                    if not isinstance(data__summary__replace, (int)) and not (isinstance(data__summary__replace, float) and data__summary__replace.is_integer()) or isinstance(data__summary__replace, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.replace must be integer", value=data__summary__replace, name="" + (name_prefix or "data") + ".summary.replace", definition={'type': 'integer', 'minimum': 0}, rule='type')
                    if isinstance(data__summary__replace, (int, float, Decimal)) and not isinstance(data__summary__replace, bool):
                        if data__summary__replace < 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.replace must be bigger than or equal to 0", value=data__summary__replace, name="" + (name_prefix or "data") + ".summary.replace", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                if "delete" in data__summary_keys:
                    data__summary_keys.remove("delete")
                    data__summary__delete = data__summary["delete"]
                    if not isinstance(data__summary__delete, (int)) and not (isinstance(data__summary__delete, float) and data__summary__delete.is_integer()) or isinstance(data__summary__delete, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.delete must be integer", value=data__summary__delete, name="" + (name_prefix or "data") + ".summary.delete", definition={'type': 'integer', 'minimum': 0}, rule='type')
                    if isinstance(data__summary__delete, (int, float, Decimal)) and not isinstance(data__summary__delete, bool):
                        if data__summary__delete < 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.delete must be bigger than or equal to 0", value=data__summary__delete, name="" + (name_prefix or "data") + ".summary.delete", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                if "adopt" in data__summary_keys:
                    data__summary_keys.remove("adopt")
                    data__summary__adopt = data__summary["adopt"]
                    if not isinstance(data__summary__adopt, (int)) and not (isinstance(data__summary__adopt, float) and data__summary__adopt.is_integer()) or isinstance(data__summary__adopt, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.adopt must be integer", value=data__summary__adopt, name="" + (name_prefix or "data") + ".summary.adopt", definition={'type': 'integer', 'minimum': 0}, rule='type')
                    if isinstance(data__summary__adopt, (int, float, Decimal)) and not isinstance(data__summary__adopt, bool):
                        if data__summary__adopt < 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.adopt must be bigger than or equal to 0", value=data__summary__adopt, name="" + (name_prefix or "data") + ".summary.adopt", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                if "wait" in data__summary_keys:
                    data__summary_keys.remove("wait")
                    data__summary__wait = data__summary["wait"]
                    if not isinstance(data__summary__wait, (int)) and not (isinstance(data__summary__wait, float) and data__summary__wait.is_integer()) or isinstance(data__summary__wait, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.wait must be integer", value=data__summary__wait, name="" + (name_prefix or "data") + ".summary.wait", definition={'type': 'integer', 'minimum': 0}, rule='type')
                    if isinstance(data__summary__wait, (int, float, Decimal)) and not isinstance(data__summary__wait, bool):
                        if data__summary__wait < 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.wait must be bigger than or equal to 0", value=data__summary__wait, name="" + (name_prefix or "data") + ".summary.wait", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                if "conflict" in data__summary_keys:
                    data__summary_keys.remove("conflict")
                    data__summary__conflict = data__summary["conflict"]
                    if not isinstance(data__summary__conflict, (int)) and not (isinstance(data__summary__conflict, float) and data__summary__conflict.is_integer()) or isinstance(data__summary__conflict, bool):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.conflict must be integer", value=data__summary__conflict, name="" + (name_prefix or "data") + ".summary.conflict", definition={'type': 'integer', 'minimum': 0}, rule='type')
                    if isinstance(data__summary__conflict, (int, float, Decimal)) and not isinstance(data__summary__conflict, bool):
                        if data__summary__conflict < 0:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary.conflict must be bigger than or equal to 0", value=data__summary__conflict, name="" + (name_prefix or "data") + ".summary.conflict", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                if data__summary_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".summary must not contain "+str(data__summary_keys)+" properties", value=data__summary, name="" + (name_prefix or "data") + ".summary", definition={'description': 'Number of changes per action.', 'type': 'object', 'additionalProperties': False, 'properties': {'clone': {'type': 'integer', 'minimum': 0}, 'update': {'type': 'integer', 'minimum': 0}, 'replace': {'type': 'integer', 'minimum': 0}, 'delete': {'type': 'integer', 'minimum': 0}, 'adopt': {'type': 'integer', 'minimum': 0}, 'wait': {'type': 'integer', 'minimum': 0}, 'conflict': {'type': 'integer', 'minimum': 0}}, 'required': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, rule='additionalProperties')
        if "refusals" in data_keys:
            data_keys.remove("refusals")
            data__refusals = data["refusals"]
            if not isinstance(data__refusals, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".refusals must be array", value=data__refusals, name="" + (name_prefix or "data") + ".refusals", definition={'description': 'Safety rules the plan breaks.', 'type': 'array', 'items': {'type': 'object', 'required': ['code', 'message', 'overridable', 'overridden'], 'properties': {'code': {'enum': ['protected', 'too_many', 'deletes_all', 'conflict', 'another_environment', 'ignored']}, 'message': {'type': 'string'}, 'overridable': {'type': 'boolean'}, 'overridden': {'type': 'boolean'}}}}, rule='type')
            data__refusals_is_list = isinstance(data__refusals, (list, tuple))
            if data__refusals_is_list:
                data__refusals_len = len(data__refusals)
                for data__refusals_x, data__refusals_item in enumerate(data__refusals):
                    if not isinstance(data__refusals_item, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".refusals[{data__refusals_x}]".format(**locals()) + " must be object", value=data__refusals_item, name="" + (name_prefix or "data") + ".refusals[{data__refusals_x}]".format(**locals()) + "", definition={'type': 'object', 'required': ['code', 'message', 'overridable', 'overridden'], 'properties': {'code': {'enum': ['protected', 'too_many', 'deletes_all', 'conflict', 'another_environment', 'ignored']}, 'message': {'type': 'string'}, 'overridable': {'type': 'boolean'}, 'overridden': {'type': 'boolean'}}}, rule='type')
                    data__refusals_item_is_dict = isinstance(data__refusals_item, dict)
                    if data__refusals_item_is_dict:
                        data__refusals_item__missing_keys = set(['code', 'message', 'overridable', 'overridden']) - data__refusals_item.keys()
                        if data__refusals_item__missing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".refusals[{data__refusals_x}]".format(**locals()) + " must contain " + (str(sorted(data__refusals_item__missing_keys)) + " properties"), value=data__refusals_item, name="" + (name_prefix or "data") + ".refusals[{data__refusals_x}]".format(**locals()) + "", definition={'type': 'object', 'required': ['code', 'message', 'overridable', 'overridden'], 'properties': {'code': {'enum': ['protected', 'too_many', 'deletes_all', 'conflict', 'another_environment', 'ignored']}, 'message': {'type': 'string'}, 'overridable': {'type': 'boolean'}, 'overridden': {'type': 'boolean'}}}, rule='required')
                        data__refusals_item_keys = set(data__refusals_item.keys())
                        if "code" in data__refusals_item_keys:
                            data__refusals_item_keys.remove("code")
                            data__refusals_item__code = data__refusals_item["code"]
                            if not (isinstance(data__refusals_item__code, str) and data__refusals_item__code == 'protected' or isinstance(data__refusals_item__code, str) and data__refusals_item__code == 'too_many' or isinstance(data__refusals_item__code, str) and data__refusals_item__code == 'deletes_all' or isinstance(data__refusals_item__code, str) and data__refusals_item__code == 'conflict' or isinstance(data__refusals_item__code, str) and data__refusals_item__code == 'another_environment' or isinstance(data__refusals_item__code, str) and data__refusals_item__code == 'ignored'):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".refusals[{data__refusals_x}].code".format(**locals()) + " must be one of ['protected', 'too_many', 'deletes_all', 'conflict', 'another_environment', 'ignored']", value=data__refusals_item__code, name="" + (name_prefix or "data") + ".refusals[{data__refusals_x}].code".format(**locals()) + "", definition={'enum': ['protected', 'too_many', 'deletes_all', 'conflict', 'another_environment', 'ignored']}, rule='enum')
                        if "message" in data__refusals_item_keys:
                            data__refusals_item_keys.remove("message")
                            data__refusals_item__message = data__refusals_item["message"]
                            if not isinstance(data__refusals_item__message, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".refusals[{data__refusals_x}].message".format(**locals()) + " must be string", value=data__refusals_item__message, name="" + (name_prefix or "data") + ".refusals[{data__refusals_x}].message".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                        if "overridable" in data__refusals_item_keys:
                            data__refusals_item_keys.remove("overridable")
                            data__refusals_item__overridable = data__refusals_item["overridable"]
                            if not isinstance(data__refusals_item__overridable, (bool)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".refusals[{data__refusals_x}].overridable".format(**locals()) + " must be boolean", value=data__refusals_item__overridable, name="" + (name_prefix or "data") + ".refusals[{data__refusals_x}].overridable".format(**locals()) + "", definition={'type': 'boolean'}, rule='type')
                        if "overridden" in data__refusals_item_keys:
                            data__refusals_item_keys.remove("overridden")
                            data__refusals_item__overridden = data__refusals_item["overridden"]
                            if not isinstance(data__refusals_item__overridden, (bool)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".refusals[{data__refusals_x}].overridden".format(**locals()) + " must be boolean", value=data__refusals_item__overridden, name="" + (name_prefix or "data") + ".refusals[{data__refusals_x}].overridden".format(**locals()) + "", definition={'type': 'boolean'}, rule='type')
        if "changes" in data_keys:
            data_keys.remove("changes")
            data__changes = data["changes"]
            if not isinstance(data__changes, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".changes must be array", value=data__changes, name="" + (name_prefix or "data") + ".changes", definition={'description': 'The changes, sorted by voice name.', 'type': 'array', 'items': {'type': 'object', 'required': ['action', 'name', 'voice_id', 'reason', 'match', 'fields', 'before', 'after', 'protected', 'skippable'], 'properties': {'action': {'enum': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, 'name': {'type': 'string'}, 'voice_id': {'type': ['string', 'null']}, 'reason': {'enum': ['new', 'sample_changed', 'language_changed', 'remote_failed', 'forced', 'renamed', 'visibility_changed', 'drift_renamed', 'drift_visibility', 'drift_deleted', 'not_declared', 'prune_unmanaged', 'superseded', 'unrecorded', 'interrupted_clone', 'processing', 'destroy', 'name_taken']}, 'match': {'enum': ['state', 'name', 'previous_name', 'journal', 'none']}, 'fields': {'type': 'array', 'items': {'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}}, 'before': {'type': ['object', 'null']}, 'after': {'type': ['object', 'null'], 'description': "What the voice will be: name, visibility, language, sample path, and the sample's facts (sample_sha256, sample_format, sample_bytes, sample_duration_s) so a saved plan renders as it was made."}, 'protected': {'type': 'boolean'}, 'skippable': {'type': 'boolean'}, 'journal_started_at': {'description': 'A journalled clone whose outcome is unknown: when its upload went out (else when it was sent; seconds since the epoch). Apply looks for its voice over the grace window from then before it clones again (or, for a delete, forgets it).', 'type': ['number', 'null']}, 'note': {'description': 'For a conflict: what takes the name and how to settle it.', 'type': 'string'}, 'pending_id': {'description': 'A journalled clone this change finishes (wait, adopt or replace of an interrupted clone).', 'type': ['string', 'null']}}}}, rule='type')
            data__changes_is_list = isinstance(data__changes, (list, tuple))
            if data__changes_is_list:
                data__changes_len = len(data__changes)
                for data__changes_x, data__changes_item in enumerate(data__changes):
                    validate____defs_change(data__changes_item, custom_formats, (name_prefix or "data") + ".changes[{data__changes_x}]".format(**locals()))
        if "unmanaged" in data_keys:
            data_keys.remove("unmanaged")
            data__unmanaged = data["unmanaged"]
            if not isinstance(data__unmanaged, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".unmanaged must be array", value=data__unmanaged, name="" + (name_prefix or "data") + ".unmanaged", definition={'description': 'Remote voices voicesync leaves alone.', 'type': 'array', 'items': {'type': 'object', 'required': ['voice_id', 'name', 'status', 'visibility'], 'properties': {'voice_id': {'type': 'string'}, 'name': {'type': ['string', 'null']}, 'status': {'type': 'string'}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE', None]}}}}, rule='type')
            data__unmanaged_is_list = isinstance(data__unmanaged, (list, tuple))
            if data__unmanaged_is_list:
                data__unmanaged_len = len(data__unmanaged)
                for data__unmanaged_x, data__unmanaged_item in enumerate(data__unmanaged):
                    validate____defs_voice(data__unmanaged_item, custom_formats, (name_prefix or "data") + ".unmanaged[{data__unmanaged_x}]".format(**locals()))
        if "managed_count" in data_keys:
            data_keys.remove("managed_count")
            data__managedcount = data["managed_count"]
            if not isinstance(data__managedcount, (int)) and not (isinstance(data__managedcount, float) and data__managedcount.is_integer()) or isinstance(data__managedcount, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".managed_count must be integer", value=data__managedcount, name="" + (name_prefix or "data") + ".managed_count", definition={'description': 'Voices the state file manages that still exist.', 'type': 'integer', 'minimum': 0}, rule='type')
            if isinstance(data__managedcount, (int, float, Decimal)) and not isinstance(data__managedcount, bool):
                if data__managedcount < 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".managed_count must be bigger than or equal to 0", value=data__managedcount, name="" + (name_prefix or "data") + ".managed_count", definition={'description': 'Voices the state file manages that still exist.', 'type': 'integer', 'minimum': 0}, rule='minimum')
        if "fingerprint" in data_keys:
            data_keys.remove("fingerprint")
            data__fingerprint = data["fingerprint"]
            if not isinstance(data__fingerprint, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".fingerprint must be string", value=data__fingerprint, name="" + (name_prefix or "data") + ".fingerprint", definition={'description': 'SHA-256 of the inputs the plan was made from.', 'type': 'string', 'pattern': '^[0-9a-f]{64}$'}, rule='type')
            if isinstance(data__fingerprint, str):
                if not REGEX_PATTERNS['^[0-9a-f]{64}$'].search(data__fingerprint):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".fingerprint must match pattern ^[0-9a-f]{64}$", value=data__fingerprint, name="" + (name_prefix or "data") + ".fingerprint", definition={'description': 'SHA-256 of the inputs the plan was made from.', 'type': 'string', 'pattern': '^[0-9a-f]{64}$'}, rule='pattern')
        if "inputs" in data_keys:
            data_keys.remove("inputs")
            data__inputs = data["inputs"]
            if not isinstance(data__inputs, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".inputs must be object", value=data__inputs, name="" + (name_prefix or "data") + ".inputs", definition={'description': 'Saved plans only: a digest per voice, to say what made a plan stale.', 'type': 'object', 'additionalProperties': {'type': 'string'}}, rule='type')
            data__inputs_is_dict = isinstance(data__inputs, dict)
            if data__inputs_is_dict:
                data__inputs_keys = set(data__inputs.keys())
                for data__inputs_key in data__inputs_keys:
                    if data__inputs_key not in []:
                        data__inputs_value = data__inputs.get(data__inputs_key)
                        if not isinstance(data__inputs_value, (str)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".inputs.{data__inputs_key}".format(**locals()) + " must be string", value=data__inputs_value, name="" + (name_prefix or "data") + ".inputs.{data__inputs_key}".format(**locals()) + "", definition={'type': 'string'}, rule='type')
        if "options" in data_keys:
            data_keys.remove("options")
            data__options = data["options"]
            if not isinstance(data__options, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".options must be object", value=data__options, name="" + (name_prefix or "data") + ".options", definition={'description': 'Saved plans only: the options it was planned with.', 'type': 'object'}, rule='type')
        if "environment" in data_keys:
            data_keys.remove("environment")
            data__environment = data["environment"]
            if not isinstance(data__environment, (str, NoneType)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".environment must be string or null", value=data__environment, name="" + (name_prefix or "data") + ".environment", definition={'description': 'The environment planned for (--env), or null for a catalog without environments.', 'type': ['string', 'null']}, rule='type')
        if "applied_at" in data_keys:
            data_keys.remove("applied_at")
            data__appliedat = data["applied_at"]
            if not isinstance(data__appliedat, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".applied_at must be string", value=data__appliedat, name="" + (name_prefix or "data") + ".applied_at", definition={'description': 'Set by apply --plan once it applied this file: a plan file is applied once.', 'type': 'string'}, rule='type')
    return data

def validate____defs_voice(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'required': ['voice_id', 'name', 'status', 'visibility'], 'properties': {'voice_id': {'type': 'string'}, 'name': {'type': ['string', 'null']}, 'status': {'type': 'string'}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE', None]}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['voice_id', 'name', 'status', 'visibility']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'required': ['voice_id', 'name', 'status', 'visibility'], 'properties': {'voice_id': {'type': 'string'}, 'name': {'type': ['string', 'null']}, 'status': {'type': 'string'}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE', None]}}}, rule='required')
        data_keys = set(data.keys())
        if "voice_id" in data_keys:
            data_keys.remove("voice_id")
            data__voiceid = data["voice_id"]
            if not isinstance(data__voiceid, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voice_id must be string", value=data__voiceid, name="" + (name_prefix or "data") + ".voice_id", definition={'type': 'string'}, rule='type')
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            if not isinstance(data__name, (str, NoneType)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be string or null", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'type': ['string', 'null']}, rule='type')
        if "status" in data_keys:
            data_keys.remove("status")
            data__status = data["status"]
            if not isinstance(data__status, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".status must be string", value=data__status, name="" + (name_prefix or "data") + ".status", definition={'type': 'string'}, rule='type')
        if "visibility" in data_keys:
            data_keys.remove("visibility")
            data__visibility = data["visibility"]
            if not (isinstance(data__visibility, str) and data__visibility == 'PUBLIC' or isinstance(data__visibility, str) and data__visibility == 'PRIVATE' or data__visibility is None):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".visibility must be one of ['PUBLIC', 'PRIVATE', None]", value=data__visibility, name="" + (name_prefix or "data") + ".visibility", definition={'enum': ['PUBLIC', 'PRIVATE', None]}, rule='enum')
    return data

def validate____defs_change(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'required': ['action', 'name', 'voice_id', 'reason', 'match', 'fields', 'before', 'after', 'protected', 'skippable'], 'properties': {'action': {'enum': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, 'name': {'type': 'string'}, 'voice_id': {'type': ['string', 'null']}, 'reason': {'enum': ['new', 'sample_changed', 'language_changed', 'remote_failed', 'forced', 'renamed', 'visibility_changed', 'drift_renamed', 'drift_visibility', 'drift_deleted', 'not_declared', 'prune_unmanaged', 'superseded', 'unrecorded', 'interrupted_clone', 'processing', 'destroy', 'name_taken']}, 'match': {'enum': ['state', 'name', 'previous_name', 'journal', 'none']}, 'fields': {'type': 'array', 'items': {'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}}, 'before': {'type': ['object', 'null']}, 'after': {'type': ['object', 'null'], 'description': "What the voice will be: name, visibility, language, sample path, and the sample's facts (sample_sha256, sample_format, sample_bytes, sample_duration_s) so a saved plan renders as it was made."}, 'protected': {'type': 'boolean'}, 'skippable': {'type': 'boolean'}, 'journal_started_at': {'description': 'A journalled clone whose outcome is unknown: when its upload went out (else when it was sent; seconds since the epoch). Apply looks for its voice over the grace window from then before it clones again (or, for a delete, forgets it).', 'type': ['number', 'null']}, 'note': {'description': 'For a conflict: what takes the name and how to settle it.', 'type': 'string'}, 'pending_id': {'description': 'A journalled clone this change finishes (wait, adopt or replace of an interrupted clone).', 'type': ['string', 'null']}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['action', 'name', 'voice_id', 'reason', 'match', 'fields', 'before', 'after', 'protected', 'skippable']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'type': 'object', 'required': ['action', 'name', 'voice_id', 'reason', 'match', 'fields', 'before', 'after', 'protected', 'skippable'], 'properties': {'action': {'enum': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, 'name': {'type': 'string'}, 'voice_id': {'type': ['string', 'null']}, 'reason': {'enum': ['new', 'sample_changed', 'language_changed', 'remote_failed', 'forced', 'renamed', 'visibility_changed', 'drift_renamed', 'drift_visibility', 'drift_deleted', 'not_declared', 'prune_unmanaged', 'superseded', 'unrecorded', 'interrupted_clone', 'processing', 'destroy', 'name_taken']}, 'match': {'enum': ['state', 'name', 'previous_name', 'journal', 'none']}, 'fields': {'type': 'array', 'items': {'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}}, 'before': {'type': ['object', 'null']}, 'after': {'type': ['object', 'null'], 'description': "What the voice will be: name, visibility, language, sample path, and the sample's facts (sample_sha256, sample_format, sample_bytes, sample_duration_s) so a saved plan renders as it was made."}, 'protected': {'type': 'boolean'}, 'skippable': {'type': 'boolean'}, 'journal_started_at': {'description': 'A journalled clone whose outcome is unknown: when its upload went out (else when it was sent; seconds since the epoch). Apply looks for its voice over the grace window from then before it clones again (or, for a delete, forgets it).', 'type': ['number', 'null']}, 'note': {'description': 'For a conflict: what takes the name and how to settle it.', 'type': 'string'}, 'pending_id': {'description': 'A journalled clone this change finishes (wait, adopt or replace of an interrupted clone).', 'type': ['string', 'null']}}}, rule='required')
        data_keys = set(data.keys())
        if "action" in data_keys:
            data_keys.remove("action")
            data__action = data["action"]
            if not (isinstance(data__action, str) and data__action == 'clone' or isinstance(data__action, str) and data__action == 'update' or isinstance(data__action, str) and data__action == 'replace' or isinstance(data__action, str) and data__action == 'delete' or isinstance(data__action, str) and data__action == 'adopt' or isinstance(data__action, str) and data__action == 'wait' or isinstance(data__action, str) and data__action == 'conflict'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".action must be one of ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']", value=data__action, name="" + (name_prefix or "data") + ".action", definition={'enum': ['clone', 'update', 'replace', 'delete', 'adopt', 'wait', 'conflict']}, rule='enum')
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            if not isinstance(data__name, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be string", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'type': 'string'}, rule='type')
        if "voice_id" in data_keys:
            data_keys.remove("voice_id")
            data__voiceid = data["voice_id"]
            if not isinstance(data__voiceid, (str, NoneType)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voice_id must be string or null", value=data__voiceid, name="" + (name_prefix or "data") + ".voice_id", definition={'type': ['string', 'null']}, rule='type')
        if "reason" in data_keys:
            data_keys.remove("reason")
            data__reason = data["reason"]
            if not (isinstance(data__reason, str) and data__reason == 'new' or isinstance(data__reason, str) and data__reason == 'sample_changed' or isinstance(data__reason, str) and data__reason == 'language_changed' or isinstance(data__reason, str) and data__reason == 'remote_failed' or isinstance(data__reason, str) and data__reason == 'forced' or isinstance(data__reason, str) and data__reason == 'renamed' or isinstance(data__reason, str) and data__reason == 'visibility_changed' or isinstance(data__reason, str) and data__reason == 'drift_renamed' or isinstance(data__reason, str) and data__reason == 'drift_visibility' or isinstance(data__reason, str) and data__reason == 'drift_deleted' or isinstance(data__reason, str) and data__reason == 'not_declared' or isinstance(data__reason, str) and data__reason == 'prune_unmanaged' or isinstance(data__reason, str) and data__reason == 'superseded' or isinstance(data__reason, str) and data__reason == 'unrecorded' or isinstance(data__reason, str) and data__reason == 'interrupted_clone' or isinstance(data__reason, str) and data__reason == 'processing' or isinstance(data__reason, str) and data__reason == 'destroy' or isinstance(data__reason, str) and data__reason == 'name_taken'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".reason must be one of ['new', 'sample_changed', 'language_changed', 'remote_failed', 'forced', 'renamed', 'visibility_changed', 'drift_renamed', 'drift_visibility', 'drift_deleted', 'not_declared', 'prune_unmanaged', 'superseded', 'unrecorded', 'interrupted_clone', 'processing', 'destroy', 'name_taken']", value=data__reason, name="" + (name_prefix or "data") + ".reason", definition={'enum': ['new', 'sample_changed', 'language_changed', 'remote_failed', 'forced', 'renamed', 'visibility_changed', 'drift_renamed', 'drift_visibility', 'drift_deleted', 'not_declared', 'prune_unmanaged', 'superseded', 'unrecorded', 'interrupted_clone', 'processing', 'destroy', 'name_taken']}, rule='enum')
        if "match" in data_keys:
            data_keys.remove("match")
            data__match = data["match"]
            if not (isinstance(data__match, str) and data__match == 'state' or isinstance(data__match, str) and data__match == 'name' or isinstance(data__match, str) and data__match == 'previous_name' or isinstance(data__match, str) and data__match == 'journal' or isinstance(data__match, str) and data__match == 'none'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".match must be one of ['state', 'name', 'previous_name', 'journal', 'none']", value=data__match, name="" + (name_prefix or "data") + ".match", definition={'enum': ['state', 'name', 'previous_name', 'journal', 'none']}, rule='enum')
        if "fields" in data_keys:
            data_keys.remove("fields")
            data__fields = data["fields"]
            if not isinstance(data__fields, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".fields must be array", value=data__fields, name="" + (name_prefix or "data") + ".fields", definition={'type': 'array', 'items': {'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}}, rule='type')
            data__fields_is_list = isinstance(data__fields, (list, tuple))
            if data__fields_is_list:
                data__fields_len = len(data__fields)
                for data__fields_x, data__fields_item in enumerate(data__fields):
                    if not isinstance(data__fields_item, (dict)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".fields[{data__fields_x}]".format(**locals()) + " must be object", value=data__fields_item, name="" + (name_prefix or "data") + ".fields[{data__fields_x}]".format(**locals()) + "", definition={'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}, rule='type')
                    data__fields_item_is_dict = isinstance(data__fields_item, dict)
                    if data__fields_item_is_dict:
                        data__fields_item__missing_keys = set(['field', 'before', 'after', 'forces_replacement']) - data__fields_item.keys()
                        if data__fields_item__missing_keys:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".fields[{data__fields_x}]".format(**locals()) + " must contain " + (str(sorted(data__fields_item__missing_keys)) + " properties"), value=data__fields_item, name="" + (name_prefix or "data") + ".fields[{data__fields_x}]".format(**locals()) + "", definition={'type': 'object', 'required': ['field', 'before', 'after', 'forces_replacement'], 'properties': {'field': {'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, 'before': {'type': ['string', 'null']}, 'after': {'type': ['string', 'null']}, 'forces_replacement': {'type': 'boolean'}}}, rule='required')
                        data__fields_item_keys = set(data__fields_item.keys())
                        if "field" in data__fields_item_keys:
                            data__fields_item_keys.remove("field")
                            data__fields_item__field = data__fields_item["field"]
                            if not (isinstance(data__fields_item__field, str) and data__fields_item__field == 'name' or isinstance(data__fields_item__field, str) and data__fields_item__field == 'visibility' or isinstance(data__fields_item__field, str) and data__fields_item__field == 'sample' or isinstance(data__fields_item__field, str) and data__fields_item__field == 'language' or isinstance(data__fields_item__field, str) and data__fields_item__field == 'voice_id'):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".fields[{data__fields_x}].field".format(**locals()) + " must be one of ['name', 'visibility', 'sample', 'language', 'voice_id']", value=data__fields_item__field, name="" + (name_prefix or "data") + ".fields[{data__fields_x}].field".format(**locals()) + "", definition={'enum': ['name', 'visibility', 'sample', 'language', 'voice_id']}, rule='enum')
                        if "before" in data__fields_item_keys:
                            data__fields_item_keys.remove("before")
                            data__fields_item__before = data__fields_item["before"]
                            if not isinstance(data__fields_item__before, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".fields[{data__fields_x}].before".format(**locals()) + " must be string or null", value=data__fields_item__before, name="" + (name_prefix or "data") + ".fields[{data__fields_x}].before".format(**locals()) + "", definition={'type': ['string', 'null']}, rule='type')
                        if "after" in data__fields_item_keys:
                            data__fields_item_keys.remove("after")
                            data__fields_item__after = data__fields_item["after"]
                            if not isinstance(data__fields_item__after, (str, NoneType)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".fields[{data__fields_x}].after".format(**locals()) + " must be string or null", value=data__fields_item__after, name="" + (name_prefix or "data") + ".fields[{data__fields_x}].after".format(**locals()) + "", definition={'type': ['string', 'null']}, rule='type')
                        if "forces_replacement" in data__fields_item_keys:
                            data__fields_item_keys.remove("forces_replacement")
                            data__fields_item__forcesreplacement = data__fields_item["forces_replacement"]
                            if not isinstance(data__fields_item__forcesreplacement, (bool)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".fields[{data__fields_x}].forces_replacement".format(**locals()) + " must be boolean", value=data__fields_item__forcesreplacement, name="" + (name_prefix or "data") + ".fields[{data__fields_x}].forces_replacement".format(**locals()) + "", definition={'type': 'boolean'}, rule='type')
        if "before" in data_keys:
            data_keys.remove("before")
            data__before = data["before"]
            if not isinstance(data__before, (dict, NoneType)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".before must be object or null", value=data__before, name="" + (name_prefix or "data") + ".before", definition={'type': ['object', 'null']}, rule='type')
        if "after" in data_keys:
            data_keys.remove("after")
            data__after = data["after"]
            if not isinstance(data__after, (dict, NoneType)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".after must be object or null", value=data__after, name="" + (name_prefix or "data") + ".after", definition={'type': ['object', 'null'], 'description': "What the voice will be: name, visibility, language, sample path, and the sample's facts (sample_sha256, sample_format, sample_bytes, sample_duration_s) so a saved plan renders as it was made."}, rule='type')
        if "protected" in data_keys:
            data_keys.remove("protected")
            data__protected = data["protected"]
            if not isinstance(data__protected, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".protected must be boolean", value=data__protected, name="" + (name_prefix or "data") + ".protected", definition={'type': 'boolean'}, rule='type')
        if "skippable" in data_keys:
            data_keys.remove("skippable")
            data__skippable = data["skippable"]
            if not isinstance(data__skippable, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".skippable must be boolean", value=data__skippable, name="" + (name_prefix or "data") + ".skippable", definition={'type': 'boolean'}, rule='type')
        if "journal_started_at" in data_keys:
            data_keys.remove("journal_started_at")
            data__journalstartedat = data["journal_started_at"]
            if not isinstance(data__journalstartedat, (int, float, Decimal, NoneType)) or isinstance(data__journalstartedat, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".journal_started_at must be number or null", value=data__journalstartedat, name="" + (name_prefix or "data") + ".journal_started_at", definition={'description': 'A journalled clone whose outcome is unknown: when its upload went out (else when it was sent; seconds since the epoch). Apply looks for its voice over the grace window from then before it clones again (or, for a delete, forgets it).', 'type': ['number', 'null']}, rule='type')
        if "note" in data_keys:
            data_keys.remove("note")
            data__note = data["note"]
            if not isinstance(data__note, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".note must be string", value=data__note, name="" + (name_prefix or "data") + ".note", definition={'description': 'For a conflict: what takes the name and how to settle it.', 'type': 'string'}, rule='type')
        if "pending_id" in data_keys:
            data_keys.remove("pending_id")
            data__pendingid = data["pending_id"]
            if not isinstance(data__pendingid, (str, NoneType)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".pending_id must be string or null", value=data__pendingid, name="" + (name_prefix or "data") + ".pending_id", definition={'description': 'A journalled clone this change finishes (wait, adopt or replace of an interrupted clone).', 'type': ['string', 'null']}, rule='type')
    return data

validate = validate_urn_voicesync_schema_plan_v1
