"""Roles and accounts through the API: the same services and scope as the 角色授权 pages (core.grants).

Everything here is an organization administrator's: read and written in the STRUCTURE scope, so for
anyone else the roles of others do not exist. An initial password is answered once, to the caller."""
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from . import grants
from .api import ScopedReadViewSet, scoped_by_code
from .models import RoleGrant
from .scoping import STRUCTURE, org_model


class RoleGrantSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", help_text="用户名 / username")
    org_code = scoped_by_code(org_model(), STRUCTURE)(source="org", slug_field="code",
                                                     help_text="组织编码（角色在其全部下级组织内有效）/ organization code")
    role = serializers.ChoiceField(choices=RoleGrant.ROLES, help_text="角色 / role")

    class Meta:
        model = RoleGrant
        fields = ["id", "username", "org_code", "role"]

    def create(self, data):
        account = get_user_model().objects.filter(username=data["user"]["username"].strip(), is_active=True).first()
        if account is None:
            raise serializers.ValidationError({"username": [grants.no_such_user()]})
        return grants.grant_role(self.context["request"].user, data["org"], account=account, role=data["role"])


class NewAccountSerializer(RoleGrantSerializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=150, help_text="姓名 / name")

    class Meta(RoleGrantSerializer.Meta):
        fields = ["username", "name", "org_code", "role"]


PASSWORD_ANSWER = inline_serializer("InitialPassword", {"username": serializers.CharField(),
                                                        "password": serializers.CharField()})


class RoleGrantViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedReadViewSet):
    """角色授权 / role grants in the organizations you administer: list, grant (POST), revoke (DELETE);
    `accounts` opens a new login with its role, `reset-password` gives an account a new initial password."""

    model, serializer_class, related = RoleGrant, RoleGrantSerializer, ("user", "org")
    write_action = find_for_writes = STRUCTURE

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).restrict(self.request.user, STRUCTURE)

    def perform_create(self, serializer):
        self.call_service(serializer.save)

    def perform_destroy(self, grant):
        self.call_service(grants.revoke_role, self.request.user, grant)

    @extend_schema(request=NewAccountSerializer, responses={201: PASSWORD_ANSWER})
    @action(detail=False, methods=["post"], url_path="accounts")
    def accounts(self, request):
        given = NewAccountSerializer(data=request.data, context={"request": request})
        given.is_valid(raise_exception=True)
        data = given.validated_data
        account, password = self.call_service(grants.create_account, request.user, data["org"],
                                              username=data["user"]["username"], role=data["role"],
                                              name=data.get("name", ""))
        return Response({"username": account.username, "password": password}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PASSWORD_ANSWER})
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, pk=None):
        """The account of this grant gets a new initial password (when you administer all its roles)."""
        account = self.get_object().user
        password = self.call_service(grants.reset_password, request.user, account)
        return Response({"username": account.username, "password": password})
